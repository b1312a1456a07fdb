//go:build linux

package capture

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/x264"
)

// softEncoder encodes a camera's pictures with libx264 on the capture
// goroutine: convert to I420 (no allocation but MJPEG's decoder), give
// the camera its buffer back, encode, frame.
type softEncoder struct {
	enc  *x264.Encoder
	cam  layout
	pic  *image.YCbCr
	sink *h264Sink
	log  *slog.Logger

	// Requests from other goroutines, applied before the next picture.
	bitrate  atomic.Int64 // 0: no change asked
	keyframe atomic.Bool
}

func newSoftEncoder(cam camera, spec V4L2Spec, bitrate int, sink *h264Sink, log *slog.Logger) (*softEncoder, error) {
	enc, err := x264.New(x264.Config{
		Width: cam.raw.w, Height: cam.raw.h,
		Bitrate:          bitrate,
		KeyframeInterval: spec.gop(cam.fps),
	})
	if err != nil {
		// Not worth retrying: a build without x264, or a bad size.
		return nil, fatal(err)
	}
	return &softEncoder{enc: enc, cam: cam.raw, pic: newI420(cam.raw.w, cam.raw.h), sink: sink, log: log}, nil
}

func (e *softEncoder) close() { _ = e.enc.Close() }

func (e *softEncoder) setBitrate(bps int) error {
	e.bitrate.Store(int64(bps))
	return nil
}

func (e *softEncoder) forceKeyframe() error {
	e.keyframe.Store(true)
	return nil
}

func (e *softEncoder) encode(ctx context.Context, b v4l2.Buffer, deq time.Time) error {
	var err error
	if e.cam.pf == pixMJPEG {
		err = jpegToI420(e.pic, b.Data())
	} else {
		err = toI420(e.pic, e.cam, b.Planes)
	}
	if err != nil {
		if errors.Is(err, errShortBuffer) || e.cam.pf == pixMJPEG {
			e.sink.stats.drop(1)
			e.log.Warn("dropping a picture", "err", err)
			return nil
		}
		return err
	}
	if bps := e.bitrate.Swap(0); bps > 0 {
		if err := e.enc.SetBitrate(int(bps)); err != nil {
			e.log.Warn("x264 refused the bit rate", "bitrate", bps, "err", err)
		}
	}
	start := time.Now()
	au, err := e.enc.Encode(e.pic, e.keyframe.Swap(false))
	took := time.Since(start)
	if err != nil {
		return err
	}
	e.sink.write(au, bufTiming{ts: b.Timestamp, monotonic: b.Flags.Monotonic(), dequeued: deq, encode: took})
	return nil
}
