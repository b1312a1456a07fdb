package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/media"
)

// This file remuxes a segment into a progressive MP4 (ISO/IEC 14496-12
// and 14496-15), the file phones save and play: ftyp, moov (every sample
// table), then mdat. One sample per chunk keeps the tables simple; the
// segment is read twice, once for the tables and once for the samples,
// so that a minute of video is never held in memory.

// mp4Sample is one sample's place in the tables.
type mp4Sample struct {
	video bool
	key   bool
	pts   time.Duration
	size  uint32
}

// mp4Layout is what the first pass learns.
type mp4Layout struct {
	samples []mp4Sample
	video   *media.VideoInfo
	avcc    []byte
	audio   *media.AudioInfo // nil: no AAC track (G.711 has no common MP4 form)
}

// WriteMP4 writes the segment in ra (size bytes: Segment.Size) to w as
// an MP4 with its H.264 video and AAC audio. The output depends only on
// the segment, so a download cut short can be resumed by offset.
func WriteMP4(w io.Writer, ra io.ReaderAt, size int64) error {
	l, err := layoutMP4(ra, size)
	if err != nil {
		return err
	}
	var mdatSize int64
	for _, s := range l.samples {
		mdatSize += int64(s.size)
	}
	head := appendFtyp(nil)
	// The moov's size does not depend on the offsets it holds (stco
	// entries are fixed-size), so build it once to learn where mdat's
	// data starts, then again with the offsets.
	moov := l.appendMoov(nil, 0)
	dataStart := uint64(len(head)+len(moov)) + 8
	if mdatSize > 1<<32-1-8 || dataStart+uint64(mdatSize) > 1<<32-1 {
		return errors.New("record: segment too large for a 32-bit MP4")
	}
	head = l.appendMoov(head, dataStart)
	head = binary.BigEndian.AppendUint32(head, uint32(8+mdatSize))
	head = append(head, "mdat"...)
	if _, err := w.Write(head); err != nil {
		return err
	}
	rd, err := NewReader(ra, size, 0)
	if err != nil {
		return err
	}
	for i := 0; i < len(l.samples); {
		f, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if !l.wants(f) {
			continue
		}
		if uint32(len(f.Payload)) != l.samples[i].size {
			return fmt.Errorf("%w: the segment changed while it was read", ErrDamaged)
		}
		if _, err := w.Write(f.Payload); err != nil {
			return err
		}
		i++
	}
	return nil
}

// wants reports whether f goes into the MP4.
func (l *mp4Layout) wants(f *media.Frame) bool {
	if f.Kind == media.KindVideo {
		return true
	}
	return l.audio != nil && f.Codec == media.CodecAAC && bytes.Equal(f.Audio.Config, l.audio.Config)
}

// layoutMP4 reads the segment's frames for the sample tables.
func layoutMP4(ra io.ReaderAt, size int64) (*mp4Layout, error) {
	rd, err := NewReader(ra, size, 0)
	if err != nil {
		return nil, err
	}
	l := &mp4Layout{video: rd.video, avcc: rd.avcc}
	if rd.audio != nil && rd.audio.Codec == media.CodecAAC {
		l.audio = rd.audio
	}
	for {
		f, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if f.Kind == media.KindVideo && f.Video != l.video {
			break // new parameters: MP4 keeps one sample description
		}
		if !l.wants(f) {
			continue
		}
		l.samples = append(l.samples, mp4Sample{video: f.Kind == media.KindVideo, key: f.Key, pts: f.PTS, size: uint32(len(f.Payload))})
	}
	return l, nil
}

// box appends a box of type typ whose body body appends.
func box(dst []byte, typ string, body func([]byte) []byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = append(dst, typ...)
	dst = body(dst)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst
}

// fullBox is box with a version and flags.
func fullBox(dst []byte, typ string, version byte, flags uint32, body func([]byte) []byte) []byte {
	return box(dst, typ, func(b []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(version)<<24|flags)
		return body(b)
	})
}

func u16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func u32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }

// unityMatrix is the identity transformation of mvhd and tkhd.
var unityMatrix = []uint32{0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000}

func appendFtyp(dst []byte) []byte {
	return box(dst, "ftyp", func(b []byte) []byte {
		b = append(b, "isom"...)
		b = u32(b, 0x200)
		return append(b, "isomiso2avc1mp41"...)
	})
}

// mp4Track is one track's samples and timing.
type mp4Track struct {
	id        uint32
	timescale uint32
	samples   []int // indexes into layout.samples
	durations []uint32
	start     time.Duration // PTS of its first sample
	duration  uint64        // in timescale units
}

// tracks splits the samples into the video and audio tracks.
func (l *mp4Layout) tracks() (video, audio mp4Track) {
	video = mp4Track{id: 1, timescale: 1000}
	audio = mp4Track{id: 2}
	if l.audio != nil {
		audio.timescale = uint32(l.audio.SampleRate)
	}
	for i, s := range l.samples {
		if s.video {
			video.samples = append(video.samples, i)
		} else {
			audio.samples = append(audio.samples, i)
		}
	}
	for n, i := range video.samples {
		d := uint32(40)
		if n+1 < len(video.samples) {
			d = uint32(max((l.samples[video.samples[n+1]].pts - l.samples[i].pts).Milliseconds(), 1))
		} else if n > 0 {
			d = video.durations[n-1]
		}
		video.durations = append(video.durations, d)
		video.duration += uint64(d)
	}
	for range audio.samples {
		audio.durations = append(audio.durations, 1024) // AAC-LC frame
		audio.duration += 1024
	}
	if len(video.samples) > 0 {
		video.start = l.samples[video.samples[0]].pts
	}
	if len(audio.samples) > 0 {
		audio.start = l.samples[audio.samples[0]].pts
	}
	return video, audio
}

// appendMoov appends the movie box; dataStart is the file offset of the
// first sample.
func (l *mp4Layout) appendMoov(dst []byte, dataStart uint64) []byte {
	video, audio := l.tracks()
	offsets := make([]uint32, len(l.samples))
	off := dataStart
	for i, s := range l.samples {
		offsets[i] = uint32(off)
		off += uint64(s.size)
	}
	movieMS := video.duration
	if audio.timescale > 0 && len(audio.samples) > 0 {
		movieMS = max(movieMS, uint64((audio.start-video.start).Milliseconds())+audio.duration*1000/uint64(audio.timescale))
	}
	return box(dst, "moov", func(b []byte) []byte {
		b = fullBox(b, "mvhd", 0, 0, func(b []byte) []byte {
			b = u32(u32(b, 0), 0) // creation, modification
			b = u32(u32(b, 1000), uint32(movieMS))
			b = u16(u32(b, 0x10000), 0x100) // rate 1.0, volume 1.0
			b = append(b, make([]byte, 10)...)
			for _, m := range unityMatrix {
				b = u32(b, m)
			}
			b = append(b, make([]byte, 24)...)
			return u32(b, 3) // next track ID
		})
		b = l.appendTrak(b, video, 0, offsets)
		if len(audio.samples) > 0 {
			b = l.appendTrak(b, audio, audio.start-video.start, offsets)
		}
		return b
	})
}

// appendTrak appends one track; delay is how long after the movie's
// start its first sample plays (an edit list says so).
func (l *mp4Layout) appendTrak(dst []byte, t mp4Track, delay time.Duration, offsets []uint32) []byte {
	isVideo := t.id == 1
	ms := t.duration * 1000 / uint64(t.timescale)
	return box(dst, "trak", func(b []byte) []byte {
		b = fullBox(b, "tkhd", 0, 3, func(b []byte) []byte { // enabled, in movie
			b = u32(u32(b, 0), 0)
			b = u32(u32(b, t.id), 0)
			b = u32(b, uint32(ms+uint64(max(delay, 0).Milliseconds())))
			b = append(b, make([]byte, 8)...)
			b = u16(u16(b, 0), 0) // layer, alternate group
			if isVideo {
				b = u16(b, 0)
			} else {
				b = u16(b, 0x100)
			}
			b = u16(b, 0)
			for _, m := range unityMatrix {
				b = u32(b, m)
			}
			if isVideo {
				return u32(u32(b, uint32(l.video.Width)<<16), uint32(l.video.Height)<<16)
			}
			return u32(u32(b, 0), 0)
		})
		if delay > 0 {
			b = box(b, "edts", func(b []byte) []byte {
				return fullBox(b, "elst", 0, 0, func(b []byte) []byte {
					b = u32(b, 2)
					b = u32(u32(u32(b, uint32(delay.Milliseconds())), 0xffffffff), 0x10000) // empty edit
					return u32(u32(u32(b, uint32(ms)), 0), 0x10000)
				})
			})
		}
		return box(b, "mdia", func(b []byte) []byte {
			b = fullBox(b, "mdhd", 0, 0, func(b []byte) []byte {
				b = u32(u32(b, 0), 0)
				b = u32(u32(b, t.timescale), uint32(t.duration))
				return u16(u16(b, 0x55c4), 0) // "und"
			})
			b = fullBox(b, "hdlr", 0, 0, func(b []byte) []byte {
				b = u32(b, 0)
				if isVideo {
					b = append(b, "vide"...)
				} else {
					b = append(b, "soun"...)
				}
				b = append(b, make([]byte, 12)...)
				if isVideo {
					return append(b, "VideoHandler\x00"...)
				}
				return append(b, "SoundHandler\x00"...)
			})
			return box(b, "minf", func(b []byte) []byte {
				if isVideo {
					b = fullBox(b, "vmhd", 0, 1, func(b []byte) []byte { return append(b, make([]byte, 8)...) })
				} else {
					b = fullBox(b, "smhd", 0, 0, func(b []byte) []byte { return append(b, make([]byte, 4)...) })
				}
				b = box(b, "dinf", func(b []byte) []byte {
					return fullBox(b, "dref", 0, 0, func(b []byte) []byte {
						b = u32(b, 1)
						return fullBox(b, "url ", 0, 1, func(b []byte) []byte { return b })
					})
				})
				return box(b, "stbl", func(b []byte) []byte { return l.appendStbl(b, t, offsets) })
			})
		})
	})
}

// appendStbl appends a track's sample tables.
func (l *mp4Layout) appendStbl(b []byte, t mp4Track, offsets []uint32) []byte {
	b = fullBox(b, "stsd", 0, 0, func(b []byte) []byte {
		b = u32(b, 1)
		if t.id == 1 {
			return l.appendAVC1(b)
		}
		return l.appendMP4A(b)
	})
	b = fullBox(b, "stts", 0, 0, func(b []byte) []byte {
		// Runs of equal durations.
		type run struct{ n, d uint32 }
		var runs []run
		for _, d := range t.durations {
			if len(runs) > 0 && runs[len(runs)-1].d == d {
				runs[len(runs)-1].n++
			} else {
				runs = append(runs, run{1, d})
			}
		}
		b = u32(b, uint32(len(runs)))
		for _, r := range runs {
			b = u32(u32(b, r.n), r.d)
		}
		return b
	})
	if t.id == 1 {
		b = fullBox(b, "stss", 0, 0, func(b []byte) []byte {
			var keys []uint32
			for n, i := range t.samples {
				if l.samples[i].key {
					keys = append(keys, uint32(n+1))
				}
			}
			b = u32(b, uint32(len(keys)))
			for _, k := range keys {
				b = u32(b, k)
			}
			return b
		})
	}
	b = fullBox(b, "stsc", 0, 0, func(b []byte) []byte {
		return u32(u32(u32(u32(b, 1), 1), 1), 1) // every chunk: one sample
	})
	b = fullBox(b, "stsz", 0, 0, func(b []byte) []byte {
		b = u32(u32(b, 0), uint32(len(t.samples)))
		for _, i := range t.samples {
			b = u32(b, l.samples[i].size)
		}
		return b
	})
	return fullBox(b, "stco", 0, 0, func(b []byte) []byte {
		b = u32(b, uint32(len(t.samples)))
		for _, i := range t.samples {
			b = u32(b, offsets[i])
		}
		return b
	})
}

// appendAVC1 appends the H.264 sample entry (14496-15 5.4.2).
func (l *mp4Layout) appendAVC1(b []byte) []byte {
	return box(b, "avc1", func(b []byte) []byte {
		b = append(b, make([]byte, 6)...)
		b = u16(b, 1) // data reference index
		b = append(b, make([]byte, 16)...)
		b = u16(u16(b, uint16(l.video.Width)), uint16(l.video.Height))
		b = u32(u32(b, 0x480000), 0x480000) // 72 dpi
		b = u32(b, 0)
		b = u16(b, 1) // frame count
		b = append(b, make([]byte, 32)...)
		b = u16(u16(b, 0x18), 0xffff)
		return box(b, "avcC", func(b []byte) []byte { return append(b, l.avcc...) })
	})
}

// appendMP4A appends the AAC sample entry with its ES descriptor
// (14496-14 5.6, 14496-1 7.2.6.5).
func (l *mp4Layout) appendMP4A(b []byte) []byte {
	a := l.audio
	return box(b, "mp4a", func(b []byte) []byte {
		b = append(b, make([]byte, 6)...)
		b = u16(b, 1)
		b = append(b, make([]byte, 8)...)
		b = u16(u16(b, uint16(a.Channels)), 16)
		b = u32(b, 0)
		b = u32(b, uint32(a.SampleRate)<<16)
		return fullBox(b, "esds", 0, 0, func(b []byte) []byte {
			dsi := append([]byte{0x05, byte(len(a.Config))}, a.Config...)
			dcd := append([]byte{0x04, byte(13 + len(dsi)), 0x40, 0x15, 0, 0, 0}, make([]byte, 8)...)
			dcd = append(dcd, dsi...)
			es := append([]byte{0x03, byte(3 + len(dcd) + 3), 0, 2, 0}, dcd...)
			es = append(es, 0x06, 1, 2)
			return append(b, es...)
		})
	})
}
