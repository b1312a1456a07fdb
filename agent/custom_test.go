package agent

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// A program's stdout as the viewer gets it.
var commandReplyTests = []struct {
	out, want string
}{
	{"", `{"status":"0"}`},
	{"  \n", `{"status":"0"}`},
	{`{"temp":21.5}`, `{"status":"0","temp":21.5}`},
	{`{"status":"1","why":"busy"}` + "\n", `{"status":"1","why":"busy"}`},
	{`[{"status":"0","x":1}]`, `[{"status":"0","x":1}]`},
	{`42`, `42`},
	{"hello\n", `{"data":"hello","status":"0"}`},
	{`{"broken":`, `{"data":"{\"broken\":","status":"0"}`},
	{"caf\xe9", `{"data":"caf\ufffd","status":"0"}`},
	{"\"\xba\"", `{"data":"\"\ufffd\"","status":"0"}`},
	{"{\"k\":\"\xff\"}", `{"data":"{\"k\":\"\ufffd\"}","status":"0"}`},
	{`{"a":1} {"b":2}`, `{"data":"{\"a\":1} {\"b\":2}","status":"0"}`},
}

func TestCommandReply(t *testing.T) {
	for _, tt := range commandReplyTests {
		got, err := json.Marshal(commandReply([]byte(tt.out)))
		if err != nil || string(got) != tt.want {
			t.Errorf("commandReply(%q) = %s, %v; want %s", tt.out, got, err, tt.want)
		}
	}
}

// Whatever a program writes, the viewer gets valid UTF-8 JSON.
func FuzzCommandReply(f *testing.F) {
	for _, tt := range commandReplyTests {
		f.Add([]byte(tt.out))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		got, err := json.Marshal(commandReply(out))
		if err != nil {
			t.Fatalf("commandReply(%q) does not encode: %v", out, err)
		}
		if !json.Valid(got) || !utf8.Valid(got) {
			t.Fatalf("commandReply(%q) = %q: not valid UTF-8 JSON", out, got)
		}
	})
}
