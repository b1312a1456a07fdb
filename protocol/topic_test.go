package protocol

import (
	"errors"
	"strings"
	"testing"
)

var topicTests = []struct {
	in    string
	topic string
	data  string
	id    int64
	ok    bool
}{
	{`{"topic":"ptz","data":{"cmd":"ptz_up_press"},"message_id":7}`, "ptz", `{"cmd":"ptz_up_press"}`, 7, true},
	{`{"topic":"ptz","data":{"cmd":"ptz_release_pre"}}`, "ptz", `{"cmd":"ptz_release_pre"}`, 0, true},
	{` {"topic":"light"} `, "light", "", 0, true},
	{`{"topic":"light","data":null}`, "light", "", 0, true},
	{`{"topic":"light","data":{"level":3,"on":true},"extra":1}`, "light", `{"level":3,"on":true}`, 0, true},

	{``, "", "", 0, false},
	{`{`, "", "", 0, false},
	{`[]`, "", "", 0, false},
	{`{"topic":""}`, "", "", 0, false},
	{`{"topic":"a b"}`, "", "", 0, false},
	{`{"topic":"` + strings.Repeat("a", MaxNameLength+1) + `"}`, "", "", 0, false},
	{`{"topic":"ptz","data":[1]}`, "", "", 0, false},
	{`{"topic":"ptz","data":"x"}`, "", "", 0, false},
	{`{"topic":"ptz","message_id":"7"}`, "", "", 0, false},
	{`{"topic":"ptz"}{"topic":"x"}`, "", "", 0, false},
	{`{"topic":"ptz"} x`, "", "", 0, false},
	{`{"topic":1}`, "", "", 0, false},
	{"{\"topic\":\"p\xfftz\"}", "", "", 0, false},
}

func TestParseTopic(t *testing.T) {
	for _, tt := range topicTests {
		got, err := ParseTopic(tt.in)
		if !tt.ok {
			var perr *Error
			if !errors.As(err, &perr) || perr.Status != StatusBadRequest {
				t.Errorf("ParseTopic(%q) = %+v, %v; want a 404 error", tt.in, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTopic(%q): %v", tt.in, err)
			continue
		}
		if got.Topic != tt.topic || string(got.Data) != tt.data || got.MessageID != tt.id {
			t.Errorf("ParseTopic(%q) = %q %s %d; want %q %s %d", tt.in, got.Topic, got.Data, got.MessageID, tt.topic, tt.data, tt.id)
		}
		if !IsTopic(tt.in) {
			t.Errorf("IsTopic(%q) = false", tt.in)
		}
	}
	if IsTopic("ptz_left") {
		t.Error(`IsTopic("ptz_left") = true`)
	}
}

func FuzzParseTopic(f *testing.F) {
	for _, tt := range topicTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseTopic(in)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || perr.Status != StatusBadRequest {
				t.Fatalf("ParseTopic(%q): error %v is not a 404 *Error", in, err)
			}
			return
		}
		if !ValidName(got.Topic) {
			t.Fatalf("ParseTopic(%q) accepted topic %q", in, got.Topic)
		}
		if got.Data != nil && got.Data[0] != '{' {
			t.Fatalf("ParseTopic(%q) accepted data %s", in, got.Data)
		}
	})
}

func BenchmarkParseTopic(b *testing.B) {
	in := topicTests[0].in
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTopic(in); err != nil {
			b.Fatal(err)
		}
	}
}
