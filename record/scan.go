package record

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/mux/flv"
)

// Sizes of the FLV structures a segment is made of (FLV spec, "The FLV
// File Format").
const (
	fileHeaderSize = flv.HeaderSize + 4 // the header and PreviousTagSize0
	tagHeaderSize  = 11
	prevSizeSize   = 4
	// maxTagData bounds a tag's data in a stored segment, as the
	// demuxer bounds a live stream's: no frame of ours is near it, so a
	// larger size means damage.
	maxTagData = flv.DefaultMaxTagSize
)

// Keyframe is a video keyframe in a segment: its timestamp and where its
// tag starts.
type Keyframe struct {
	Time   time.Duration // the tag's timestamp: time since the segment's start
	Offset int64         // of the tag header in the file
}

// Scan is what ScanSegment found in a segment.
type Scan struct {
	// Size is the length of the whole tags: a file longer than this has
	// a damaged or unfinished tail, which Repair cuts off.
	Size int64
	// Duration is the latest timestamp of the whole tags.
	Duration time.Duration
	// Keyframes lists the video keyframes in file order.
	Keyframes []Keyframe
	// Tags counts the whole tags.
	Tags int
	// Damaged tells why the bytes after Size are not a whole tag; empty
	// when the file ends with a whole tag.
	Damaged string
}

// ScanSegment reads the tag headers of the segment in r, size bytes
// long, and returns where its whole tags end, its keyframes and its
// duration. A file that does not start with an FLV header is an error
// wrapping ErrDamaged; a tail that is not a whole tag (a power cut
// mid-write, garbage) only ends the scan, and Scan.Damaged says why. It
// reads 13 bytes per tag and 4 after it, never the frames.
func ScanSegment(r io.ReaderAt, size int64) (Scan, error) {
	var hdr [fileHeaderSize]byte
	if size < fileHeaderSize {
		return Scan{}, fmt.Errorf("%w: %d bytes, shorter than the FLV header", ErrDamaged, size)
	}
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return Scan{}, fmt.Errorf("%w: header: %w", ErrDamaged, err)
	}
	if _, off, err := flv.ParseHeader(hdr[:]); err != nil || off != flv.HeaderSize {
		return Scan{}, fmt.Errorf("%w: not an FLV segment of ours: %v", ErrDamaged, err)
	}
	s := Scan{Size: fileHeaderSize}
	var th [tagHeaderSize + 2]byte // the tag header and the first two data bytes
	var prev [prevSizeSize]byte
	// The last timestamp of each tag type: each only grows, but audio
	// may lag video in file order (it is captured with more latency).
	var last [32]time.Duration
	for off := int64(fileHeaderSize); off < size; {
		if size-off < tagHeaderSize+prevSizeSize {
			s.Damaged = "unfinished tag header"
			break
		}
		n := min(int64(len(th)), size-off)
		if _, err := r.ReadAt(th[:n], off); err != nil {
			return s, fmt.Errorf("record: read segment: %w", err)
		}
		typ := flv.TagType(th[0])
		data := int64(th[1])<<16 | int64(th[2])<<8 | int64(th[3])
		ts := time.Duration(uint32(th[4])<<16|uint32(th[5])<<8|uint32(th[6])|uint32(th[7])<<24) * time.Millisecond
		switch {
		case typ != flv.TagTypeAudio && typ != flv.TagTypeVideo && typ != flv.TagTypeScript:
			s.Damaged = fmt.Sprintf("bad tag type %#x at %d", th[0], off)
		case th[8]|th[9]|th[10] != 0:
			s.Damaged = fmt.Sprintf("nonzero stream id at %d", off)
		case data > maxTagData:
			s.Damaged = fmt.Sprintf("tag of %d bytes at %d", data, off)
		case typ != flv.TagTypeScript && data < 2:
			s.Damaged = fmt.Sprintf("%s tag of %d bytes at %d", typ, data, off)
		case size-off < tagHeaderSize+data+prevSizeSize:
			s.Damaged = "unfinished tag"
		case ts < last[typ&0x1f]:
			s.Damaged = fmt.Sprintf("%s timestamp %v after %v at %d", typ, ts, last[typ&0x1f], off)
		}
		if s.Damaged != "" {
			break
		}
		end := off + tagHeaderSize + data
		if _, err := r.ReadAt(prev[:], end); err != nil {
			return s, fmt.Errorf("record: read segment: %w", err)
		}
		if int64(binary.BigEndian.Uint32(prev[:])) != tagHeaderSize+data {
			s.Damaged = fmt.Sprintf("PreviousTagSize does not match the tag at %d", off)
			break
		}
		if typ == flv.TagTypeVideo && th[tagHeaderSize]>>4 == flv.FrameTypeKey && th[tagHeaderSize+1] == flv.AVCPacketNALU {
			s.Keyframes = append(s.Keyframes, Keyframe{Time: ts, Offset: off})
		}
		last[typ&0x1f] = ts
		s.Duration = max(s.Duration, ts)
		s.Tags++
		off = end + prevSizeSize
		s.Size = off
	}
	return s, nil
}

// KeyframeAt returns the last keyframe at or before t, or the first
// keyframe when t is before it; false when there is none.
func (s Scan) KeyframeAt(t time.Duration) (Keyframe, bool) {
	if len(s.Keyframes) == 0 {
		return Keyframe{}, false
	}
	k := s.Keyframes[0]
	for _, kf := range s.Keyframes[1:] {
		if kf.Time > t {
			break
		}
		k = kf
	}
	return k, true
}
