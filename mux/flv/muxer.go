package flv

import (
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/media"
)

// MuxerConfig says which tracks a Muxer writes.
type MuxerConfig struct {
	HasAudio bool // write audio frames; without it they are dropped
	HasVideo bool // write video frames; without it they are dropped
	// BacklogUntil is the capture time of the newest frame of a backlog
	// a viewer joins with (the cached GOP, so its first picture comes at
	// once); 0 when there is none. The backlog's video gets timestamps
	// CatchUpSpeed times closer together, so a player runs through it and
	// is at live when the frames after it come, instead of a GOP behind
	// for good; its audio, which cannot play faster, is left out.
	BacklogUntil time.Duration
}

// CatchUpSpeed is how much faster than real time a player runs through
// a backlog (MuxerConfig.BacklogUntil): a second's GOP in 125 ms.
const CatchUpSpeed = 8

// Muxer writes media frames as one FLV stream, for one viewer. It is not
// safe for concurrent use.
//
// Before the first tag it writes the FLV header and an onMetaData script
// tag; before the first H.264 frame, and whenever a frame's VideoInfo
// pointer changes, an AVC sequence header; likewise an AAC sequence header
// for AudioInfo. Timestamps are milliseconds from the first frame written
// and strictly increase per track (a backlog's compressed: BacklogUntil);
// they wrap after about 49.7 days, as the 32-bit field does.
//
// The stream starts on a keyframe: video frames before the first keyframe
// are skipped, and so, when the config has video, are audio frames, so
// that both tracks start together and the metadata has the video size.
//
// After each tag its PreviousTagSize follows at once, so that a reader
// never waits for the next frame to finish a tag. In steady state a frame
// costs three writes (tag header, payload, PreviousTagSize) and no
// allocation: the payload is written as it is, never copied, so w should
// be buffered.
type Muxer struct {
	w   io.Writer
	cfg MuxerConfig
	err error // the first write error; returned forever after

	started bool          // the header and metadata are written
	base    time.Duration // the PTS that maps to timestamp 0
	video   track
	audio   track

	lastVideo *media.VideoInfo // VideoInfo of the last AVC sequence header
	lastAudio *media.AudioInfo // AudioInfo of the last audio frame written

	// The latest audio parameters seen, for the metadata when video
	// starts the stream.
	seenAudioCodec media.Codec
	seenAudio      *media.AudioInfo

	buf     []byte                // bytes to write before a payload; reused
	trailer [prevTagSizeSize]byte // PreviousTagSize of the tag just written
}

// track is the timing state of one track.
type track struct {
	started bool  // a media tag of this track was written
	last    int64 // its timestamp in ms, before wrapping to 32 bits
}

// NewMuxer returns a Muxer that writes to w. It writes nothing until the
// first frame that starts the stream.
func NewMuxer(w io.Writer, cfg MuxerConfig) *Muxer {
	return &Muxer{w: w, cfg: cfg, buf: make([]byte, 0, 512)}
}

// WriteFrame writes f as one tag, preceded by whatever header, metadata
// or sequence header must come first. Frames of a kind the config does
// not carry, and frames before the stream can start (see Muxer), are
// dropped and return nil. An unsupported codec or missing stream
// parameters return an error and write nothing; a write error is
// returned for this and every later call.
func (m *Muxer) WriteFrame(f *media.Frame) error {
	if m.err != nil {
		return m.err
	}
	switch f.Kind {
	case media.KindVideo:
		if !m.cfg.HasVideo {
			return nil
		}
		return m.writeVideo(f)
	case media.KindAudio:
		if !m.cfg.HasAudio {
			return nil
		}
		return m.writeAudio(f)
	}
	return fmt.Errorf("flv: unknown frame kind %d", f.Kind)
}

// writeVideo writes an H.264 frame.
func (m *Muxer) writeVideo(f *media.Frame) error {
	switch {
	case f.Codec != media.CodecH264:
		return fmt.Errorf("flv: unsupported video codec %v", f.Codec)
	case f.Video == nil:
		return fmt.Errorf("flv: H.264 frame at %v without VideoInfo", f.PTS)
	case len(f.Payload) > MaxTagDataSize-avcVideoPrefixSize:
		return fmt.Errorf("flv: video frame of %d bytes does not fit a tag", len(f.Payload))
	case !m.video.started && !f.Key:
		return nil // wait for a keyframe
	}
	base, ts := m.timestamp(&m.video, f.PTS)
	m.buf = m.buf[:0]
	var err error
	if !m.started {
		if m.buf, err = m.appendStart(m.buf, ts, f.Video, m.seenAudioCodec, m.seenAudio); err != nil {
			return err
		}
	}
	if f.Video != m.lastVideo {
		if m.buf, err = appendAVCSequenceHeader(m.buf, ts, f.Video); err != nil {
			return err
		}
	}
	frameType := byte(FrameTypeInter)
	if f.Key {
		frameType = FrameTypeKey
	}
	m.buf = appendTagHeader(m.buf, TagTypeVideo, avcVideoPrefixSize+len(f.Payload), ts)
	m.buf = append(m.buf, frameType<<4|CodecIDAVC, AVCPacketNALU, 0, 0, 0) // CompositionTime 0: no B-frames
	m.started, m.base, m.lastVideo = true, base, f.Video
	m.video = track{started: true, last: ts}
	return m.writeTagTail(avcVideoPrefixSize, f.Payload)
}

// writeAudio writes an AAC or G.711 frame.
func (m *Muxer) writeAudio(f *media.Frame) error {
	flags, err := audioTagFlags(f.Codec)
	if err != nil {
		return err
	}
	prefix := 1
	if f.Codec == media.CodecAAC {
		if f.Audio == nil || len(f.Audio.Config) == 0 {
			return fmt.Errorf("flv: AAC frame at %v without AudioSpecificConfig", f.PTS)
		}
		prefix = 2
	}
	if len(f.Payload) > MaxTagDataSize-prefix {
		return fmt.Errorf("flv: audio frame of %d bytes does not fit a tag", len(f.Payload))
	}
	m.seenAudioCodec, m.seenAudio = f.Codec, f.Audio
	if m.cfg.HasVideo && !m.video.started {
		return nil // the stream starts with a video keyframe
	}
	if m.cfg.BacklogUntil > 0 && f.PTS <= m.cfg.BacklogUntil {
		return nil // backlog audio: it would overlap
	}
	base, ts := m.timestamp(&m.audio, f.PTS)
	m.buf = m.buf[:0]
	if !m.started {
		if m.buf, err = m.appendStart(m.buf, ts, nil, f.Codec, f.Audio); err != nil {
			return err
		}
	}
	if f.Codec == media.CodecAAC && f.Audio != m.lastAudio {
		m.buf = appendAACSequenceHeader(m.buf, ts, f.Audio.Config)
	}
	m.buf = appendTagHeader(m.buf, TagTypeAudio, prefix+len(f.Payload), ts)
	m.buf = append(m.buf, flags)
	if prefix == 2 {
		m.buf = append(m.buf, AACPacketRaw)
	}
	m.started, m.base, m.lastAudio = true, base, f.Audio
	m.audio = track{started: true, last: ts}
	return m.writeTagTail(prefix, f.Payload)
}

// audioTagFlags returns the first byte of an audio tag for codec c.
func audioTagFlags(c media.Codec) (byte, error) {
	switch c {
	case media.CodecAAC:
		return audioFlagsAAC, nil
	case media.CodecG711A:
		return audioFlagsG711A, nil
	case media.CodecG711U:
		return audioFlagsG711U, nil
	}
	return 0, fmt.Errorf("flv: unsupported audio codec %v", c)
}

// timestamp returns the base PTS (the frame's own before the stream
// starts) and the frame's timestamp in ms on track t: time since the
// base (the backlog's compressed), at least 0, and after the track's
// previous timestamp.
func (m *Muxer) timestamp(t *track, pts time.Duration) (base time.Duration, ms int64) {
	base = m.base
	if !m.started {
		base = pts
	}
	ms = max(int64(m.sinceBase(pts, base)/time.Millisecond), 0)
	if t.started && ms <= t.last {
		ms = t.last + 1
	}
	return base, ms
}

// sinceBase is the stream time of pts: the time since base, with the
// backlog (up to BacklogUntil) compressed CatchUpSpeed-fold.
func (m *Muxer) sinceBase(pts, base time.Duration) time.Duration {
	until := m.cfg.BacklogUntil
	switch {
	case until <= base:
		return pts - base
	case pts <= until:
		return (pts - base) / CatchUpSpeed
	}
	return (until-base)/CatchUpSpeed + pts - until
}

// appendStart appends the FLV header and the onMetaData tag.
func (m *Muxer) appendStart(dst []byte, ts int64, v *media.VideoInfo, ac media.Codec, a *media.AudioInfo) ([]byte, error) {
	md, err := metadata(v, ac, a)
	if err != nil {
		return dst, err
	}
	dst = Header{HasAudio: m.cfg.HasAudio, HasVideo: m.cfg.HasVideo}.AppendTo(dst)
	start := len(dst)
	dst = appendTagHeader(dst, TagTypeScript, 0, ts)
	if dst, err = appendMetadataBody(dst, md); err != nil {
		return dst, err
	}
	return finishTag(dst, start), nil
}

// appendAVCSequenceHeader appends a video tag carrying the AVC decoder
// configuration record of v.
func appendAVCSequenceHeader(dst []byte, ts int64, v *media.VideoInfo) ([]byte, error) {
	start := len(dst)
	dst = appendTagHeader(dst, TagTypeVideo, 0, ts)
	dst = append(dst, FrameTypeKey<<4|CodecIDAVC, AVCPacketSequenceHeader, 0, 0, 0)
	dst, err := appendAVCConfig(dst, v.SPS, v.PPS)
	if err != nil {
		return dst, err
	}
	return finishTag(dst, start), nil
}

// appendAACSequenceHeader appends an audio tag carrying the AAC
// AudioSpecificConfig asc.
func appendAACSequenceHeader(dst []byte, ts int64, asc []byte) []byte {
	start := len(dst)
	dst = appendTagHeader(dst, TagTypeAudio, 0, ts)
	dst = append(dst, audioFlagsAAC, AACPacketSequenceHeader)
	dst = append(dst, asc...)
	return finishTag(dst, start)
}

// appendTagHeader appends an 11-byte tag header. The timestamp wraps to
// 32 bits.
func appendTagHeader(dst []byte, typ TagType, dataSize int, ts int64) []byte {
	var h [tagHeaderSize]byte
	putTagHeader(h[:], typ, dataSize, uint32(ts))
	return append(dst, h[:]...)
}

// finishTag sets the data size of the tag whose header starts at
// dst[start] to the bytes appended after it, and appends its
// PreviousTagSize.
func finishTag(dst []byte, start int) []byte {
	n := len(dst) - start - tagHeaderSize
	put24(dst[start+1:], uint32(n))
	var p [prevTagSizeSize]byte
	putPrevTagSize(p[:], n)
	return append(dst, p[:]...)
}

// writeTagTail writes m.buf (which ends with the tag header and prefix
// bytes of the tag), then the payload, then the tag's PreviousTagSize.
func (m *Muxer) writeTagTail(prefix int, payload []byte) error {
	if err := m.write(m.buf); err != nil {
		return err
	}
	if len(payload) > 0 {
		if err := m.write(payload); err != nil {
			return err
		}
	}
	putPrevTagSize(m.trailer[:], prefix+len(payload))
	return m.write(m.trailer[:])
}

// write writes p to the underlying writer; its first error sticks.
func (m *Muxer) write(p []byte) error {
	n, err := m.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		m.err = fmt.Errorf("flv: write: %w", err)
	}
	return m.err
}
