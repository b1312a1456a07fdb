package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/usercmd"
)

// commandInput is what a custom command's program reads on stdin.
type commandInput struct {
	Cmd     string `json:"cmd"`
	Channel int    `json:"channel"`
	// Subject is the token's subject; empty without auth.
	Subject string `json:"subject,omitempty"`
	// Params are the query parameters but action, channel and cmd (the
	// first value of each), or the JSON form's data object as sent.
	Params    any   `json:"params"`
	MessageID int64 `json:"message_id,omitempty"`
}

// commandName returns the handler name of a command request: cmd, or the
// topic of the JSON form, which it parses.
func commandName(req protocol.Request) (string, protocol.Topic, error) {
	if !protocol.IsTopic(req.Cmd) {
		return req.Cmd, protocol.Topic{}, nil
	}
	t, err := protocol.ParseTopic(req.Cmd)
	return t.Topic, t, err
}

// commandNeed returns what a viewer's token must grant for a command
// request: a custom command's permissions, or the request's own
// (protocol.Request.Permission).
func (a *Agent) commandNeed(req protocol.Request) auth.Permission {
	if name, _, err := commandName(req); err == nil {
		if c, ok := a.cfg.Commands[name]; ok {
			return c.need()
		}
	}
	return req.Permission()
}

// serveCustom serves the commands beyond the agent's inner ones: the JSON
// form, PTZ and configured custom commands. It reports whether it
// answered; if not, serveCommand does.
func (a *Agent) serveCustom(ctx context.Context, log *slog.Logger, v protocol.Viewer, req protocol.Request, w Responder) bool {
	name, topic, err := commandName(req)
	if err != nil {
		log.Info("rejected command", "err", err)
		a.replyError(w, err)
		return true
	}
	switch name {
	case protocol.CmdEvents:
		a.serveEvents(ctx, log, v, w)
		return true
	case protocol.CmdTriggerEvent:
		a.serveTrigger(log, v, req, topic, w)
		return true
	}
	if name == "ptz" || strings.HasPrefix(name, "ptz_") {
		a.servePTZ(log, req, topic, w)
		return true
	}
	if c, ok := a.cfg.Commands[name]; ok {
		a.runCommand(ctx, log, v, name, c, req, topic, w)
		return true
	}
	if topic.Topic != "" {
		log.Info("unsupported command", "topic", name)
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "topic %q is not supported", name))
		return true
	}
	return false
}

// runCommand runs a configured command's program and replies with its
// output.
func (a *Agent) runCommand(ctx context.Context, log *slog.Logger, v protocol.Viewer, name string, c CommandConfig, req protocol.Request, topic protocol.Topic, w Responder) {
	log = log.With("cmd", name)
	if !c.allows(v.Subject) {
		log.Info("refused command: subject not listed", "subject", v.Subject)
		a.replyError(w, protocol.Errorf(protocol.StatusForbidden, "command %q is not allowed for your token", name))
		return
	}
	in := commandInput{Cmd: name, Channel: req.Channel, Subject: v.Subject, MessageID: topic.MessageID}
	if topic.Topic != "" {
		in.Params = topic.Data
		if topic.Data == nil {
			in.Params = struct{}{}
		}
	} else {
		params := map[string]string{}
		for k, vs := range req.Params {
			switch k {
			case "action", "channel", "cmd":
			default:
				params[k] = vs[0]
			}
		}
		in.Params = params
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		a.replyError(w, protocol.Errorf(protocol.StatusFailed, "command %q: %v", name, err))
		return
	}
	start := time.Now()
	out, err := a.commands.Run(ctx, c.program(name), append(stdin, '\n'))
	log = log.With("took", time.Since(start).Round(time.Millisecond))
	if err != nil {
		a.replyCommandError(log, name, err, w)
		return
	}
	log.Info("ran command", "bytes", len(out))
	a.replyJSON(w, protocol.StatusOK, commandReply(out))
}

// replyCommandError answers a program that failed with a status that
// says how. The program's stderr goes to the log only.
func (a *Agent) replyCommandError(log *slog.Logger, name string, err error, w Responder) {
	log.Warn("command failed", "err", err)
	var ee *usercmd.ExitError
	switch {
	case errors.Is(err, usercmd.ErrBusy):
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "command %q: too many commands are running; try again", name))
	case errors.Is(err, usercmd.ErrNotFound):
		a.replyError(w, protocol.Errorf(protocol.StatusFailed, "command %q: its program cannot be started (see the camera's log)", name))
	case errors.Is(err, usercmd.ErrTimeout), errors.Is(err, usercmd.ErrOutputTooLarge):
		a.replyError(w, protocol.Errorf(protocol.StatusFailed, "command %q: %v", name, strings.TrimPrefix(err.Error(), "usercmd: ")))
	case errors.As(err, &ee):
		a.replyError(w, protocol.Errorf(protocol.StatusFailed, "command %q: program exited with status %d", name, ee.Code))
	default:
		a.replyError(w, protocol.Errorf(protocol.StatusFailed, "command %q failed: %v", name, err))
	}
}

// commandReply turns a program's stdout into the JSON reply: a JSON
// object gains "status":"0" unless it has a status; other JSON goes as
// is; nothing is {"status":"0"}; text, or JSON that is not UTF-8, is
// {"status":"0","data":TEXT} (invalid bytes become U+FFFD).
func commandReply(out []byte) any {
	out = bytes.TrimSpace(out)
	ok := json.RawMessage(`"0"`)
	if len(out) == 0 {
		return map[string]json.RawMessage{"status": ok}
	}
	if !json.Valid(out) || !utf8.Valid(out) {
		return map[string]any{"status": ok, "data": string(out)}
	}
	var obj map[string]json.RawMessage
	if out[0] != '{' || json.Unmarshal(out, &obj) != nil {
		return json.RawMessage(out)
	}
	if _, has := obj["status"]; !has {
		obj["status"] = ok
	}
	return obj
}
