package agent

import (
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
}

// recordFile is one element of get_file_list's file_list.
type recordFile struct {
	FileName  string `json:"file_name"`
	FileType  string `json:"file_type"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	FileSize  string `json:"file_size"`
}

// playbackStatus is get_device_st&type=playback: 406 without recording,
// 1 and why while the storage has failed.
func (a *Agent) playbackStatus() (protocol.Status, string) {
	if a.rec == nil {
		return protocol.StatusNotSupported, "recording is off"
	}
	if st := a.rec.Status(); !st.Recording {
		return protocol.StatusBusy, "recording stopped: " + st.Reason
	}
	return protocol.StatusOK, ""
}

// recordingOn reports whether the camera records, answering 406 when
// it does not.
func (a *Agent) recordingOn(w Responder) bool {
	if a.rec == nil {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "recording is off on this camera (record.dir)"))
	}
	return a.rec != nil
}

// serveRecordCommand answers get_record_index, get_month_record and
// get_file_list in the X-P2P shapes.
func (a *Agent) serveRecordCommand(req protocol.Request, w Responder) {
	if !a.recordingOn(w) {
		return
	}
	switch req.Cmd {
	case "get_month_record":
		y, m, err := protocol.Month(req.Params)
		if err != nil {
			a.replyError(w, err)
			return
		}
		a.replyJSON(w, protocol.StatusOK, map[string]string{"video_list": strconv.FormatUint(uint64(a.rec.Month(y, m)), 10)})
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
	var segs []record.Segment
	if typ == 0 { // continuous: the only type recorded
		segs = a.rec.Query(from, to)
	}
	if req.Cmd == "get_file_list" {
		files := make([]recordFile, 0, min(len(segs), maxListed))
		for _, s := range segs[:min(len(segs), maxListed)] {
			files = append(files, recordFile{FileName: s.File(), FileType: "0", StartTime: unix(s.Start()),
				EndTime: unix(s.End), FileSize: strconv.FormatInt(s.Size, 10)})
		}
		a.replyJSON(w, protocol.StatusOK, map[string][]recordFile{"file_list": files})
		return
	}
	a.replyJSON(w, protocol.StatusOK, map[string][]recordSpan{"video_list": spans(segs)})
}

// spans joins segments that follow each other into spans.
func spans(segs []record.Segment) []recordSpan {
	out := []recordSpan{}
	var start, end time.Time
	for i, s := range segs {
		if i > 0 && s.Start().Sub(end) <= spanGap {
			end = s.End
			continue
		}
		if i > 0 {
			out = append(out, recordSpan{StartTime: unix(start), EndTime: unix(end)})
			if len(out) == maxListed {
				return out
			}
		}
		start, end = s.Start(), s.End
	}
	if len(segs) > 0 {
		out = append(out, recordSpan{StartTime: unix(start), EndTime: unix(end)})
	}
	return out
}

// unix formats t as unix seconds.
func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
