package natlab_test

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// BenchmarkLossTracksVsFLV plays the 2 Mbps 640x360 25 fps clip (a
// keyframe a second) through two cone NATs with random loss on the
// camera's router, each way, to two viewers one after the other: the
// player page in Chromium, on media tracks (SRTP, NACK, PLI), and the Go
// viewer (p2pcam view), on FLV over a data channel (SCTP, ordered and
// reliable). Each watches for 20 s. The target (issue 10), at 10 %: the
// tracks within 500 ms of live, no freeze over 1 s.
//
// How it is measured:
//
//   - Tracks, delay to live: every 100 ms the page's wall clock minus the
//     video track's estimatedPlayoutTimestamp (getStats): the camera's
//     NTP time of the frame playing then, which Chromium maps from the
//     frame's RTP time with the camera's RTCP sender reports. Those map
//     RTP time to the camera's wall clock when it sent the frame, right
//     after capture, and the camera and Chromium share the host's clock
//     (network namespaces, one kernel). So this is capture to screen,
//     less the camera's capture-to-send (its fan-out's p50 is well under
//     a millisecond, stream's benchmark).
//   - Both, lag: a frame's (arrival - media timestamp) minus the least of
//     the run (the promptest frame): how much later than the best case a
//     frame came. For the tracks, arrival is presentation and the media
//     timestamp the RTP timestamp; for FLV, a tag leaving p2pcam view and
//     its FLV timestamp. FLV carries no wall clock, so for the data
//     channel this relative lag is the figure to compare.
//   - Freeze: the longest time between two frames presented (tracks) or
//     two video tags out of the viewer (FLV). The Go viewer drops frames
//     later than its live edge (--max-lag, viewer/liveedge) as a player
//     would; a dropped frame counts as not shown.
//
// The first second of each watch is left out of the lags (the join: the
// camera's cached GOP, sent at once).
//
//	go test -run '^$' -bench LossTracksVsFLV -benchtime 1x ./natlab/
func BenchmarkLossTracksVsFLV(b *testing.B) {
	const watch, skip = 20 * time.Second, time.Second
	clip := makeClip(b)
	for _, loss := range []float64{0, 0.05, 0.10} {
		b.Run(fmt.Sprintf("loss%.0fpct", 100*loss), func(b *testing.B) {
			l := newBrowserLab(b, labOptions{camNAT: "cone", viewNAT: "cone", loss: loss, lossAt: "natc", stream: "file:" + clip})
			// Over the runs: the median of their medians, the worst of
			// their worsts.
			var trP50, trMax, trLag, trFreeze, flP50, flMax, flFreeze []time.Duration
			for b.Loop() {
				r := l.watchPage(b, watch)
				tr := figuresOf(b, r, skip)
				trP50, trMax, trLag, trFreeze = append(trP50, tr.delayP50), append(trMax, tr.delayMax), append(trLag, tr.lagMax), append(trFreeze, tr.freeze)
				b.Logf("tracks, %.0f%% loss each way: path %s, %d frames shown (%.1f fps), delay to live p50 %v p95 %v max %v (%d samples), lag over the promptest frame max %v, longest freeze %v; Chromium: %v",
					100*loss, r.Path, tr.frames, tr.fps, tr.delayP50, tr.delayP95, tr.delayMax, tr.samples, tr.lagMax, tr.freeze, r.Inbound)
				fl := playFor(b, l.lab, watch)
				flP50, flMax, flFreeze = append(flP50, percentile(fl.lags, 0.5)), append(flMax, fl.maxLag), append(flFreeze, fl.maxGap)
				b.Logf("FLV data channel, %.0f%% loss each way: path %s, %d video tags, %.2f Mbps, lag over the promptest tag p50 %v p95 %v max %v, longest gap %v, %d frames dropped by the camera, %d late frames by the viewer",
					100*loss, fl.kind, fl.tags, fl.mbps, percentile(fl.lags, 0.5), percentile(fl.lags, 0.95), fl.maxLag.Round(time.Millisecond), fl.maxGap.Round(time.Millisecond), fl.dropped, fl.viewerDropped)
			}
			verdict := "met"
			if percentile(trMax, 1) > 500*time.Millisecond || percentile(trFreeze, 1) > time.Second {
				verdict = "MISSED"
			}
			b.Logf("target at 10%% (tracks within 500 ms of live, no freeze over 1 s), here at %.0f%%, worst of %d runs: %s", 100*loss, len(trMax), verdict)
			b.ReportMetric(ms(percentile(trP50, 0.5)), "track-delay-p50-ms")
			b.ReportMetric(ms(percentile(trMax, 1)), "track-delay-max-ms")
			b.ReportMetric(ms(percentile(trLag, 1)), "track-lag-max-ms")
			b.ReportMetric(ms(percentile(trFreeze, 1)), "track-freeze-max-ms")
			b.ReportMetric(ms(percentile(flP50, 0.5)), "flv-lag-p50-ms")
			b.ReportMetric(ms(percentile(flMax, 1)), "flv-lag-max-ms")
			b.ReportMetric(ms(percentile(flFreeze, 1)), "flv-freeze-max-ms")
		})
	}
}

// trackFigures are what the page's video showed of a watch.
type trackFigures struct {
	frames                       int
	fps                          float64
	delayP50, delayP95, delayMax time.Duration // wall clock - estimated playout
	samples                      int           // of the delay
	lagMax                       time.Duration // over the promptest frame, by RTP time
	freeze                       time.Duration // longest time between two frames
}

// ntpToUnixMs is the NTP epoch (1900) to the Unix epoch (1970), in ms.
const ntpToUnixMs = 2_208_988_800_000

// figuresOf reduces a watch to its figures, leaving out its first skip.
func figuresOf(tb testing.TB, r pageRun, skip time.Duration) trackFigures {
	tb.Helper()
	if len(r.Watch) < 2 || r.Watch[0][0] == nil {
		tb.Fatalf("the page showed %d frames while watched", len(r.Watch))
	}
	if len(r.Playout) == 0 {
		tb.Fatalf("Chromium gave no estimatedPlayoutTimestamp: no RTCP sender reports from the camera?")
	}
	msDur := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	var f trackFigures
	var delays []time.Duration
	for _, p := range r.Playout {
		if p[0]-r.Playout[0][0] >= float64(skip.Milliseconds()) {
			delays = append(delays, msDur(p[0]-(p[1]-ntpToUnixMs)))
		}
	}
	f.samples = len(delays)
	f.delayP50, f.delayP95, f.delayMax = percentile(delays, 0.5), percentile(delays, 0.95), percentile(delays, 1)

	start := *r.Watch[0][0] + float64(skip.Milliseconds())
	var (
		rel   []float64 // presentation - RTP time, ms
		prev  = math.NaN()
		rtpT  uint32
		rtpMs float64 // unwrapped RTP time since the first frame, ms
		seen  bool
	)
	for _, fr := range r.Watch {
		pres := *fr[0]
		if fr[1] != nil {
			ts := uint32(*fr[1])
			if !seen {
				rtpT, seen = ts, true
			}
			rtpMs += float64(int32(ts-rtpT)) / 90
			rtpT = ts
		}
		if pres < start {
			prev = pres
			continue
		}
		f.frames++
		if !math.IsNaN(prev) {
			f.freeze = max(f.freeze, msDur(pres-prev))
		}
		prev = pres
		if fr[1] != nil {
			rel = append(rel, pres-rtpMs)
		}
	}
	if f.frames > 1 {
		f.fps = float64(f.frames-1) / ((prev - start) / 1000)
	}
	if len(rel) > 0 {
		least := rel[0]
		for _, v := range rel {
			least = min(least, v)
		}
		for _, v := range rel {
			f.lagMax = max(f.lagMax, msDur(v-least))
		}
	}
	return f
}
