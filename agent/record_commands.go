package agent

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/record"
)

// maxListed bounds the entries of one record listing (a JSON reply of
// a few hundred kB); a viewer asks for a shorter span for the rest.
const maxListed = 2000

// spanGap is the longest pause between segments that get_record_index
// still lists as one span: a segment starts a frame after the last.
const spanGap = time.Second

// recordSpan is one element of get_record_index's video_list.
type recordSpan struct {
	Type      int    `json:"type"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	start     int64  // unix ms, for sorting
}

// recordFile is one element of get_file_list's file_list.
type recordFile struct {
	FileName  string `json:"file_name"`
	FileType  string `json:"file_type"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	FileSize  string `json:"file_size"`
}

// playbackStatus is get_device_st&type=playback on channel ch: 406
// without recording, 1 and why while the storage has failed.
func (a *Agent) playbackStatus(ch *channel) (protocol.Status, string) {
	if len(a.recorders(ch)) == 0 {
		return protocol.StatusNotSupported, a.notRecording(ch)
	}
	for _, r := range a.recorders(ch) {
		if st := r.Status(); !st.Recording {
			return protocol.StatusBusy, "recording stopped: " + st.Reason
		}
	}
	return protocol.StatusOK, ""
}

// recordingOn reports whether channel ch records, answering 406 when
// it does not.
func (a *Agent) recordingOn(ch *channel, w Responder) bool {
	if len(a.recorders(ch)) == 0 {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "%s", a.notRecording(ch)))
		return false
	}
	return true
}

// notRecording says why channel ch records nothing.
func (a *Agent) notRecording(ch *channel) string {
	switch {
	case a.cfg.Record.Dir == "":
		return "recording is off on this camera (record.dir)"
	case ch.num != 0 && a.cfg.Record.ClipsOnly:
		return fmt.Sprintf("channel %d records nothing: record.clips_only is set, and event clips are channel 0's", ch.num)
	case ch.num != 0:
		return fmt.Sprintf("channel %d does not record (its record = \"off\")", ch.num)
	}
	return "recording is off on this camera"
}

// serveRecordCommand answers get_record_index, get_month_record and
// get_file_list in the X-P2P shapes.
func (a *Agent) serveRecordCommand(ch *channel, req protocol.Request, w Responder) {
	if !a.recordingOn(ch, w) {
		return
	}
	switch req.Cmd {
	case "get_month_record":
		y, m, err := protocol.Month(req.Params)
		if err != nil {
			a.replyError(w, err)
			return
		}
		var mask uint32
		for _, r := range a.recorders(ch) {
			mask |= r.Month(y, m)
		}
		a.replyJSON(w, protocol.StatusOK, map[string]string{"video_list": strconv.FormatUint(uint64(mask), 10)})
		return
	}
	from, to, err := protocol.TimeRange(req.Params)
	if err != nil {
		a.replyError(w, err)
		return
	}
	typeParam := "type"
	if req.Cmd == "get_file_list" {
		typeParam = "file_type"
	}
	typ, err := protocol.FileType(req.Params, typeParam)
	if err != nil {
		a.replyError(w, err)
		return
	}
	all := !req.Params.Has(typeParam) // no type: every type
	var segs []record.Segment
	var list []recordSpan
	for _, r := range a.recorders(ch) {
		got := r.Query(from, to)
		got = slices.DeleteFunc(got, func(s record.Segment) bool { return !all && s.Type() != typ })
		segs = append(segs, got...)
		list = append(list, spans(got)...)
	}
	if req.Cmd == "get_file_list" {
		slices.SortStableFunc(segs, func(x, y record.Segment) int { return x.Start().Compare(y.Start()) })
		files := make([]recordFile, 0, min(len(segs), maxListed))
		for _, s := range segs[:min(len(segs), maxListed)] {
			files = append(files, recordFile{FileName: s.File(), FileType: strconv.Itoa(s.Type()), StartTime: unix(s.Start()),
				EndTime: unix(s.End), FileSize: strconv.FormatInt(s.Size, 10)})
		}
		a.replyJSON(w, protocol.StatusOK, map[string][]recordFile{"file_list": files})
		return
	}
	slices.SortStableFunc(list, func(x, y recordSpan) int { return cmp.Compare(x.start, y.start) })
	a.replyJSON(w, protocol.StatusOK, map[string][]recordSpan{"video_list": list[:min(len(list), maxListed)]})
}

// spans joins segments of one type that follow each other into spans.
func spans(segs []record.Segment) []recordSpan {
	out := []recordSpan{}
	var start, end time.Time
	span := func(typ int) recordSpan {
		return recordSpan{Type: typ, StartTime: unix(start), EndTime: unix(end), start: start.UnixMilli()}
	}
	for i, s := range segs {
		if i > 0 && s.Type() == segs[i-1].Type() && s.Start().Sub(end) <= spanGap {
			end = s.End
			continue
		}
		if i > 0 {
			out = append(out, span(segs[i-1].Type()))
			if len(out) == maxListed {
				return out
			}
		}
		start, end = s.Start(), s.End
	}
	if len(segs) > 0 {
		out = append(out, span(segs[len(segs)-1].Type()))
	}
	return out
}

// unix formats t as unix seconds.
func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
