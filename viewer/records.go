package viewer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// Requester makes requests on a camera: a *Conn over P2P, or a LAN for a
// camera in LAN mode.
type Requester interface {
	Request(ctx context.Context, line string) (*link.Response, error)
}

// OnChannel returns r asking for NVR channel n's recordings: the
// functions of this file given it name channel n in their requests
// (channel 0 otherwise). Its requests are r's.
func OnChannel(r Requester, n int) Requester {
	if c, ok := r.(channelRequester); ok {
		r = c.Requester
	}
	return channelRequester{r, n}
}

type channelRequester struct {
	Requester
	n int
}

// channelParam is "channel=N" for the channel r asks for.
func channelParam(r Requester) string {
	n := 0
	if c, ok := r.(channelRequester); ok {
		n = c.n
	}
	return "channel=" + strconv.Itoa(n)
}

// ErrNotOK is the error of a request the camera answered with a status
// other than 0; the error text carries the camera's status and reason.
var ErrNotOK = errors.New("viewer: the camera refused")

// maxListing bounds a record listing's JSON reply (the camera lists at
// most 2000 entries, a few hundred kB).
const maxListing = 4 << 20

// RecordSpan is one span of get_record_index: recordings without a gap.
type RecordSpan struct {
	Type       int
	Start, End time.Time
}

// RecordFile is one file of get_file_list.
type RecordFile struct {
	Name       string
	Type       int
	Start, End time.Time
	Size       int64
}

// The record types of get_record_index and get_file_list: continuous
// recording, and the camera's event clips (docs/recording.md).
const (
	TypeContinuous = 0
	TypeMotion     = 1 // clips of the motion detector
	TypeInput      = 2 // clips of a GPIO input (doorbell, PIR)
	TypeEvent      = 3 // clips of trigger_event and other events
	// AllTypes asks RecordIndexOfType and RecordFilesOfType for every type.
	AllTypes = -1
)

// RecordIndex lists the spans of every type recorded between from and
// to (get_record_index).
func RecordIndex(ctx context.Context, r Requester, from, to time.Time) ([]RecordSpan, error) {
	return RecordIndexOfType(ctx, r, from, to, AllTypes)
}

// RecordIndexOfType lists the spans of type typ (AllTypes: every type)
// recorded between from and to.
func RecordIndexOfType(ctx context.Context, r Requester, from, to time.Time, typ int) ([]RecordSpan, error) {
	body, err := command(ctx, r, "get_record_index&"+typeParam("type", typ)+timeRange(from, to))
	if err != nil {
		return nil, err
	}
	return ParseRecordIndex(body)
}

// ParseRecordIndex decodes get_record_index's answer.
func ParseRecordIndex(body []byte) ([]RecordSpan, error) {
	var reply struct {
		VideoList []struct {
			Type      int    `json:"type"`
			StartTime string `json:"start_time"`
			EndTime   string `json:"end_time"`
		} `json:"video_list"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("viewer: bad get_record_index answer: %w", err)
	}
	out := make([]RecordSpan, 0, len(reply.VideoList))
	for _, v := range reply.VideoList {
		s, err1 := unixString(v.StartTime)
		e, err2 := unixString(v.EndTime)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("viewer: get_record_index: %w", err)
		}
		out = append(out, RecordSpan{Type: v.Type, Start: s, End: e})
	}
	return out, nil
}

// MonthRecord returns the days of month with recordings
// (get_month_record): bit 0 is day 1.
func MonthRecord(ctx context.Context, r Requester, year int, month time.Month) (uint32, error) {
	body, err := command(ctx, r, fmt.Sprintf("get_month_record&time=%04d%02d", year, int(month)))
	if err != nil {
		return 0, err
	}
	return ParseMonthRecord(body)
}

// ParseMonthRecord decodes get_month_record's answer, the day mask.
func ParseMonthRecord(body []byte) (uint32, error) {
	var reply struct {
		VideoList string `json:"video_list"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return 0, fmt.Errorf("viewer: bad get_month_record answer: %w", err)
	}
	mask, err := strconv.ParseUint(reply.VideoList, 10, 32)
	if err != nil || mask>>31 != 0 {
		return 0, fmt.Errorf("viewer: get_month_record: bad mask %q", reply.VideoList)
	}
	return uint32(mask), nil
}

// RecordFiles lists the files of continuous recording between from
// and to (get_file_list&file_type=0), oldest first.
func RecordFiles(ctx context.Context, r Requester, from, to time.Time) ([]RecordFile, error) {
	return RecordFilesOfType(ctx, r, from, to, TypeContinuous)
}

// typeParam returns "name=typ&", or "" for AllTypes.
func typeParam(name string, typ int) string {
	if typ < 0 {
		return ""
	}
	return name + "=" + strconv.Itoa(typ) + "&"
}

// RecordFilesOfType lists the files of type typ (AllTypes: every type)
// recorded between from and to, oldest first.
func RecordFilesOfType(ctx context.Context, r Requester, from, to time.Time, typ int) ([]RecordFile, error) {
	body, err := command(ctx, r, "get_file_list&"+typeParam("file_type", typ)+timeRange(from, to))
	if err != nil {
		return nil, err
	}
	return ParseFileList(body)
}

// ParseFileList decodes get_file_list's answer.
func ParseFileList(body []byte) ([]RecordFile, error) {
	var reply struct {
		FileList []struct {
			FileName  string `json:"file_name"`
			FileType  string `json:"file_type"`
			StartTime string `json:"start_time"`
			EndTime   string `json:"end_time"`
			FileSize  string `json:"file_size"`
		} `json:"file_list"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("viewer: bad get_file_list answer: %w", err)
	}
	out := make([]RecordFile, 0, len(reply.FileList))
	for _, f := range reply.FileList {
		s, err1 := unixString(f.StartTime)
		e, err2 := unixString(f.EndTime)
		size, err3 := strconv.ParseInt(f.FileSize, 10, 64)
		if err3 == nil && size < 0 {
			err3 = fmt.Errorf("negative size %d", size)
		}
		typ, err4 := strconv.Atoi(f.FileType)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("viewer: get_file_list: %q: %w", f.FileName, err)
		}
		out = append(out, RecordFile{Name: f.FileName, Type: typ, Start: s, End: e, Size: size})
	}
	return out, nil
}

// Playback asks for the recordings from from to to as one FLV stream in
// real time, starting at the keyframe at or before from. Close the body
// to stop it.
func Playback(ctx context.Context, r Requester, from, to time.Time) (io.ReadCloser, error) {
	return stream(ctx, r, "ipc.flv?action=playback&"+channelParam(r)+"&"+timeRange(from, to))
}

// Download asks for the recorded file name from byte offset: FLV as
// stored, or with mp4 the file remuxed to MP4 (the offset then counts in
// the MP4). A download broken off resumes with the bytes it has as the
// offset.
func Download(ctx context.Context, r Requester, name string, offset int64, mp4 bool) (io.ReadCloser, error) {
	line := "ipc.flv?action=download&" + channelParam(r) + "&file_name=" + url.QueryEscape(name) + "&offset=" + strconv.FormatInt(offset, 10)
	if mp4 {
		line += "&format=mp4"
	}
	return stream(ctx, r, line)
}

// stream makes a request whose answer is a body to read, and returns the
// body, or the camera's refusal as an error.
func stream(ctx context.Context, r Requester, line string) (io.ReadCloser, error) {
	resp, err := r.Request(ctx, line)
	if err != nil {
		return nil, err
	}
	if resp.Status != protocol.StatusOK {
		defer resp.Body.Close()
		return nil, refusal(resp)
	}
	return resp.Body, nil
}

// command runs "command?action=inner_define&channel=N&cmd=" + cmd (N:
// the channel of r, OnChannel) and returns its answer, at most
// maxListing bytes.
func command(ctx context.Context, r Requester, cmd string) ([]byte, error) {
	resp, err := r.Request(ctx, "command?action=inner_define&"+channelParam(r)+"&cmd="+cmd)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.Status != protocol.StatusOK {
		return nil, refusal(resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxListing+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxListing {
		return nil, fmt.Errorf("viewer: the answer to %s is over %d bytes", cmd, maxListing)
	}
	return body, nil
}

// refusal turns a non-OK answer into an error with the camera's reason.
func refusal(resp *link.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct {
		Error string `json:"error"`
	}
	reason := string(b)
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		reason = e.Error
	}
	return fmt.Errorf("%w: status %d: %s", ErrNotOK, resp.Status, strings.TrimSpace(reason))
}

func timeRange(from, to time.Time) string {
	return fmt.Sprintf("start_time=%d&end_time=%d", from.Unix(), to.Unix())
}

func unixString(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > protocol.MaxUnixTime {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	return time.Unix(n, 0), nil
}

// PlaybackState is where a playback is, as the playback_* commands
// answer.
type PlaybackState struct {
	Progress time.Duration // from the playback's start_time to the frame last sent
	At       time.Time     // that frame's time, to the second
	Paused   bool
	Speed    float64 // 0.5 to 8; 1 from a camera that does not say
}

// PlaybackPause pauses the playback running on the same session (a
// *Conn: LAN mode has a connection per request).
func PlaybackPause(ctx context.Context, r Requester) (PlaybackState, error) {
	return playbackCommand(ctx, r, "playback_pause")
}

// PlaybackResume resumes a paused playback on the same session.
func PlaybackResume(ctx context.Context, r Requester) (PlaybackState, error) {
	return playbackCommand(ctx, r, "playback_resume")
}

// PlaybackSeek moves the playback on the same session to the keyframe
// at or before t.
func PlaybackSeek(ctx context.Context, r Requester, t time.Time) (PlaybackState, error) {
	return playbackCommand(ctx, r, "playback_seek&time="+strconv.FormatInt(t.Unix(), 10))
}

// PlaybackSeekProgress moves the playback on the same session to d after
// its start_time (to the millisecond).
func PlaybackSeekProgress(ctx context.Context, r Requester, d time.Duration) (PlaybackState, error) {
	return playbackCommand(ctx, r, "playback_seek&progress="+strconv.FormatInt(d.Milliseconds(), 10))
}

// PlaybackSpeed plays the playback on the same session at speed times
// real time: 0.5, 1, 2, 4 or 8 (the camera refuses others). At 2 and
// above the camera sends video keyframes only.
func PlaybackSpeed(ctx context.Context, r Requester, speed float64) (PlaybackState, error) {
	return playbackCommand(ctx, r, "playback_speed&speed="+strconv.FormatFloat(speed, 'f', -1, 64))
}

// PlaybackProgress tells where the playback on the same session is.
func PlaybackProgress(ctx context.Context, r Requester) (PlaybackState, error) {
	return playbackCommand(ctx, r, "playback_progress")
}

func playbackCommand(ctx context.Context, r Requester, cmd string) (PlaybackState, error) {
	body, err := command(ctx, r, cmd)
	if err != nil {
		return PlaybackState{}, err
	}
	return ParsePlaybackState(body)
}

// ParsePlaybackState decodes a playback_* command's answer.
func ParsePlaybackState(body []byte) (PlaybackState, error) {
	var reply struct {
		Progress string `json:"progress"`
		Time     string `json:"time"`
		Paused   bool   `json:"paused"`
		Speed    string `json:"speed"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return PlaybackState{}, fmt.Errorf("viewer: bad playback answer: %w", err)
	}
	ms, err1 := strconv.ParseInt(reply.Progress, 10, 64)
	if err1 == nil && (ms < -protocol.MaxProgress.Milliseconds() || ms > 100*365*24*time.Hour.Milliseconds()) {
		err1 = fmt.Errorf("progress %d ms out of range", ms)
	}
	at, err2 := unixString(reply.Time)
	speed, err3 := 1.0, error(nil)
	if reply.Speed != "" {
		speed, err3 = strconv.ParseFloat(reply.Speed, 64)
		if err3 == nil && !(speed >= 0.5 && speed <= 8) { // NaN too
			err3 = fmt.Errorf("speed %q out of range", reply.Speed)
		}
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		return PlaybackState{}, fmt.Errorf("viewer: bad playback answer: %w", err)
	}
	return PlaybackState{Progress: time.Duration(ms) * time.Millisecond, At: at, Paused: reply.Paused, Speed: speed}, nil
}

// ErrNoRecording is FindRecordFile's error for a name the camera does
// not list (never recorded, or deleted by retention).
var ErrNoRecording = errors.New("viewer: the camera has no such recording")

// RecordFileStart reads the start out of a recording's name,
// ch0_20261206T094252.123Z[_MS].flv (docs/recording.md); the camera
// checks the whole name when it is asked for it.
func RecordFileStart(name string) (time.Time, error) {
	_, rest, ok := strings.Cut(name, "_")
	const layout = "20060102T150405.000Z"
	if !ok || !strings.HasPrefix(name, "ch") || len(rest) < len(layout) {
		return time.Time{}, fmt.Errorf("viewer: %q is not a recording's name (ch0_20261206T094252.123Z_60000.flv)", name)
	}
	t, err := time.Parse(layout, rest[:len(layout)])
	if err != nil {
		return time.Time{}, fmt.Errorf("viewer: %q is not a recording's name: %w", name, err)
	}
	return t, nil
}

// FindRecordFile returns the camera's listing of the recording name:
// its size tells how much a download has left.
func FindRecordFile(ctx context.Context, r Requester, name string) (RecordFile, error) {
	start, err := RecordFileStart(name)
	if err != nil {
		return RecordFile{}, err
	}
	files, err := RecordFiles(ctx, r, start.Add(-time.Second), start.Add(time.Second))
	if err != nil {
		return RecordFile{}, err
	}
	for _, f := range files {
		if f.Name == name {
			return f, nil
		}
	}
	return RecordFile{}, fmt.Errorf("%w: %s", ErrNoRecording, name)
}
