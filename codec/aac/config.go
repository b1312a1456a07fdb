package aac

import "fmt"

// ObjectTypeLC is the MPEG-4 audio object type of AAC Low Complexity.
const ObjectTypeLC = 2

// Config is an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1)
// reduced to what AAC-LC needs.
type Config struct {
	ObjectType      int // audio object type; only ObjectTypeLC is supported
	SampleRate      int // in Hz
	SampleRateIndex int // samplingFrequencyIndex, 15 for an explicit rate
	Channels        int // 1 or 2
}

// ParseAudioSpecificConfig parses an AudioSpecificConfig. It fails with
// ErrUnsupported for object types other than LC, for 960-sample frames,
// and for more than two channels.
func ParseAudioSpecificConfig(b []byte) (Config, error) {
	r := bitReader{b: b}
	var c Config
	c.ObjectType = int(r.read(5))
	if c.ObjectType == 31 {
		c.ObjectType = 32 + int(r.read(6))
	}
	if r.overrun() {
		return Config{}, ErrTruncated
	}
	if c.ObjectType != ObjectTypeLC {
		return Config{}, fmt.Errorf("%w: audio object type %d (only AAC-LC, 2)", ErrUnsupported, c.ObjectType)
	}
	c.SampleRateIndex = int(r.read(4))
	switch {
	case c.SampleRateIndex == 15:
		c.SampleRate = int(r.read(24))
	case c.SampleRateIndex < len(sampleRates):
		c.SampleRate = sampleRates[c.SampleRateIndex]
	default:
		return Config{}, fmt.Errorf("%w: reserved sampling frequency index %d", ErrMalformed, c.SampleRateIndex)
	}
	chanConfig := int(r.read(4))
	if r.overrun() {
		return Config{}, ErrTruncated
	}
	if c.SampleRate <= 0 {
		return Config{}, fmt.Errorf("%w: sampling frequency 0", ErrMalformed)
	}
	// GASpecificConfig
	if r.bit() {
		return Config{}, fmt.Errorf("%w: 960-sample frames", ErrUnsupported)
	}
	if r.bit() {
		r.skip(14) // coreCoderDelay
	}
	r.skip(1) // extensionFlag: 0 for LC
	if chanConfig == 0 {
		p, err := readPCE(&r)
		if err != nil {
			return Config{}, err
		}
		chanConfig = p.channels
	}
	if r.overrun() {
		return Config{}, ErrTruncated
	}
	if chanConfig < 1 || chanConfig > 2 {
		return Config{}, fmt.Errorf("%w: channel configuration %d (only mono and stereo)", ErrUnsupported, chanConfig)
	}
	c.Channels = chanConfig
	return c, nil
}

// check reports whether c describes a stream the package can code.
func (c Config) check() error {
	if c.ObjectType != ObjectTypeLC {
		return fmt.Errorf("%w: audio object type %d (only AAC-LC, 2)", ErrUnsupported, c.ObjectType)
	}
	if c.Channels < 1 || c.Channels > 2 {
		return fmt.Errorf("%w: %d channels (only mono and stereo)", ErrUnsupported, c.Channels)
	}
	if c.SampleRate < 1 || c.SampleRate >= 1<<24 {
		return fmt.Errorf("%w: sampling frequency %d", ErrUnsupported, c.SampleRate)
	}
	if c.SampleRateIndex != 15 && (c.SampleRateIndex < 0 || c.SampleRateIndex >= len(sampleRates) || sampleRates[c.SampleRateIndex] != c.SampleRate) {
		return fmt.Errorf("%w: sampling frequency index %d for %d Hz", ErrMalformed, c.SampleRateIndex, c.SampleRate)
	}
	return nil
}

// AppendTo appends the AudioSpecificConfig of c to dst: 2 bytes for a
// standard rate, 5 for an explicit one (index 15).
func (c Config) AppendTo(dst []byte) ([]byte, error) {
	if err := c.check(); err != nil {
		return dst, err
	}
	w := bitWriter{b: dst}
	w.write(uint32(c.ObjectType), 5)
	w.write(uint32(c.SampleRateIndex), 4)
	if c.SampleRateIndex == 15 {
		w.write(uint32(c.SampleRate), 24)
	}
	w.write(uint32(c.Channels), 4)
	w.write(0, 3) // frameLengthFlag, dependsOnCoreCoder, extensionFlag
	w.align()
	return w.bytes(), nil
}

// Marshal returns the AudioSpecificConfig of c.
func (c Config) Marshal() ([]byte, error) { return c.AppendTo(nil) }

// tableIndex returns the index of the band tables for c's rate.
func (c Config) tableIndex() int {
	if c.SampleRateIndex >= 0 && c.SampleRateIndex < len(sampleRates) {
		return c.SampleRateIndex
	}
	return tableIndex(c.SampleRate)
}
