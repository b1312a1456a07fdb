//go:build linux

package v4l2cam

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/capture/x264"
)

// softEncoder encodes a shared camera's pictures with libx264 on the
// goroutine of its stream: convert (or scale) to I420, encode, frame.
// Nothing is allocated per picture but by MJPEG's decoder.
type softEncoder struct {
	enc  *x264.Encoder
	src  layout       // of the pictures it is given
	pic  *image.YCbCr // what x264 encodes, at the output size
	full *image.YCbCr // an MJPEG camera's decoded picture, when scaled
	sc   *scaler      // nil: encoded at the camera's size
	// The planes of pic and full, as scale takes them.
	picBufs, fullBufs [][]byte
	sink              *h264Sink
	log               *slog.Logger

	// Requests from other goroutines, applied before the next picture.
	bitrate  atomic.Int64 // 0: no change asked
	keyframe atomic.Bool
}

// newSoftEncoder returns an encoder as opts says, which writes its
// access units to sink.
func newSoftEncoder(opts encoderOptions, sink *h264Sink) (*softEncoder, error) {
	src, w, h := opts.src, opts.width, opts.height
	e := &softEncoder{src: src, pic: newI420(w, h), sink: sink, log: opts.log}
	e.picBufs = [][]byte{e.pic.Y, e.pic.Cb, e.pic.Cr}
	if w != src.w || h != src.h {
		from := src
		if src.pf == pixMJPEG {
			e.full = newI420(src.w, src.h)
			e.fullBufs = [][]byte{e.full.Y, e.full.Cb, e.full.Cr}
			from = i420Layout(src.w, src.h)
		}
		sc, err := newScaler(from, i420Layout(w, h))
		if err != nil {
			return nil, fatal(err)
		}
		e.sc = sc
	}
	enc, err := x264.New(x264.Config{
		Width: w, Height: h,
		Bitrate:          opts.bitrate,
		KeyframeInterval: opts.spec.gop(opts.cam.fps),
	})
	if err != nil {
		// Not worth retrying: a build without x264, or a bad size.
		return nil, fatal(err)
	}
	e.enc = enc
	return e, nil
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

// picture makes the I420 picture to encode from fr.
func (e *softEncoder) picture(fr *rawFrame) error {
	switch {
	case e.src.pf == pixMJPEG && e.sc != nil:
		if err := jpegToI420(e.full, fr.data); err != nil {
			return err
		}
		return e.sc.scale(e.picBufs, e.fullBufs)
	case e.src.pf == pixMJPEG:
		return jpegToI420(e.pic, fr.data)
	case e.sc != nil:
		return e.sc.scale(e.picBufs, [][]byte{fr.data})
	}
	return toI420(e.pic, e.src, [][]byte{fr.data})
}

func (e *softEncoder) encode(ctx context.Context, fr *rawFrame) error {
	if err := e.picture(fr); err != nil {
		if errors.Is(err, errShortBuffer) || e.src.pf == pixMJPEG {
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
	e.sink.write(au, bufTiming{ts: fr.ts, monotonic: fr.monotonic, dequeued: fr.dequeued, encode: took})
	return nil
}
