package agent

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/ptz"
)

// newPTZ returns the pan-tilt head of the config and board, or nil when
// there is none.
func newPTZ(cfg Config, prof board.Profile, publish func(typ string, v any)) (*ptz.Controller, error) {
	driver := cfg.PTZ.Driver
	if driver == "" {
		driver = prof.PTZ
	}
	var d ptz.Driver
	switch driver {
	case "", "off":
		return nil, nil
	case "sim":
		sim, err := ptz.NewSim(ptz.SimConfig{PanMax: cfg.PTZ.PanSteps, TiltMax: cfg.PTZ.TiltSteps, Speed: cfg.PTZ.StepRate, Clock: cfg.Clock})
		if err != nil {
			return nil, err
		}
		d = sim
	case "uln2003":
		var err error
		if d, err = newStepperHead(cfg); err != nil {
			return nil, err
		}
	case "pelco-d":
		var err error
		if d, err = newPelcoDHead(cfg, prof.PTZSerial); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("agent: board %s: unknown PTZ driver %q", prof.Name, driver)
	}
	d = announceHead{Driver: d, publish: publish}
	c, err := ptz.New(d, ptz.Config{
		HoldTimeout:  cfg.PTZ.HoldTimeout,
		StepDuration: cfg.PTZ.StepDuration,
		PresetsFile:  cfg.PTZ.PresetsFile,
		Clock:        cfg.Clock,
	})
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("agent: %w", err)
	}
	return c, nil
}

// ptzData is the data of the JSON form: {"cmd":"ptz_up_press","preset":1}.
type ptzData struct {
	Cmd    string          `json:"cmd"`
	Preset json.RawMessage `json:"preset"` // a number, or a string of one
}

// ptzPosition is the reply of ptz_get_position.
type ptzPosition struct {
	Status string `json:"status"`
	ptz.State
}

// ptzPresets is the reply of ptz_get_presets.
type ptzPresets struct {
	Status  string                  `json:"status"`
	Presets map[string]ptz.Position `json:"presets"`
}

// servePTZ serves a PTZ command, in either form:
//
//	cmd=ptz_left|ptz_right|ptz_up|ptz_down           a step
//	cmd=ptz_DIR_press, ptz_release_pre (or _release)  press and hold
//	cmd=ptz_preset_save|ptz_preset_goto&preset=N
//	cmd=ptz_get_position, ptz_get_presets
//	cmd={"topic":"ptz","data":{"cmd":"ptz_up_press"}}
func (a *Agent) servePTZ(log *slog.Logger, req protocol.Request, topic protocol.Topic, w Responder) {
	if a.ptz == nil {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "this camera has no pan-tilt head"))
		return
	}
	cmd, preset := req.Cmd, req.Params.Get("preset")
	if topic.Topic != "" {
		if topic.Topic != "ptz" {
			a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "topic %q is not supported: PTZ's topic is \"ptz\"", topic.Topic))
			return
		}
		var d ptzData
		if topic.Data != nil {
			if err := json.Unmarshal(topic.Data, &d); err != nil {
				a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "bad ptz data: %v", err))
				return
			}
		}
		cmd, preset = d.Cmd, strings.Trim(string(d.Preset), `"`)
	}
	err := a.ptzDo(cmd, preset, w)
	if err == nil {
		log.Debug("ptz", "cmd", cmd)
		return
	}
	log.Info("ptz command refused", "cmd", cmd, "err", err)
	var perr *protocol.Error
	switch {
	case errors.As(err, &perr):
	case errors.Is(err, ptz.ErrBadPreset), errors.Is(err, ptz.ErrNoPreset), errors.Is(err, ptz.ErrBadDirection):
		err = protocol.Errorf(protocol.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), "ptz: "))
	default:
		err = protocol.Errorf(protocol.StatusFailed, "%s: %v", cmd, err)
	}
	a.replyError(w, err)
}

// ptzDo runs one PTZ command and replies when it succeeds.
func (a *Agent) ptzDo(cmd, preset string, w Responder) error {
	var err error
	switch cmd {
	case "ptz_get_position":
		st, err := a.ptz.State()
		if err != nil {
			return err
		}
		a.replyJSON(w, protocol.StatusOK, ptzPosition{Status: "0", State: st})
		return nil
	case "ptz_get_presets":
		out := ptzPresets{Status: "0", Presets: map[string]ptz.Position{}}
		for n, p := range a.ptz.Presets() {
			out.Presets[strconv.Itoa(n)] = p
		}
		a.replyJSON(w, protocol.StatusOK, out)
		return nil
	case "ptz_release_pre", "ptz_release", "ptz_stop":
		err = a.ptz.Release()
	case "ptz_preset_save", "ptz_preset_goto":
		n, perr := ptz.ParsePreset(preset)
		if perr != nil {
			return perr
		}
		if cmd == "ptz_preset_save" {
			err = a.ptz.SavePreset(n)
		} else {
			err = a.ptz.GotoPreset(n)
		}
	default:
		err = a.ptzMove(cmd)
	}
	if err != nil {
		return err
	}
	a.replyJSON(w, protocol.StatusOK, map[string]string{"status": "0"})
	return nil
}

// ptzMove runs ptz_DIR (a step), ptz_DIR_press or ptz_DIR_release.
func (a *Agent) ptzMove(cmd string) error {
	rest, ok := strings.CutPrefix(cmd, "ptz_")
	dirName, how, _ := strings.Cut(rest, "_")
	d, err := ptz.ParseDirection(dirName)
	if !ok || err != nil {
		return protocol.Errorf(protocol.StatusNotSupported, "PTZ command %q is not supported", cmd)
	}
	switch how {
	case "":
		return a.ptz.Step(d)
	case "press":
		return a.ptz.Press(d)
	case "release":
		return a.ptz.Release()
	}
	return protocol.Errorf(protocol.StatusNotSupported, "PTZ command %q is not supported", cmd)
}

// newPelcoDHead opens the serial port of a Pelco-D head: the config's,
// or the board's.
func newPelcoDHead(cfg Config, board board.SerialHead) (ptz.Driver, error) {
	pc := cfg.PTZ
	dev, baud, addr := cmp.Or(pc.Serial, board.Device), cmp.Or(pc.Baud, board.Baud, 2400), cmp.Or(pc.Address, board.Address)
	if dev == "" {
		return nil, fmt.Errorf("agent: ptz pelco-d: no serial port: set [ptz] serial, e.g. \"/dev/ttyUSB0\"")
	}
	port, err := ptz.OpenSerial(dev, baud)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	d, err := ptz.NewPelcoD(ptz.PelcoDConfig{Port: port, Address: addr, Speed: pc.Speed,
		Rate: pc.StepRate, PanMax: pc.PanSteps, TiltMax: pc.TiltSteps, Clock: cfg.Clock})
	if err != nil {
		port.Close()
		return nil, fmt.Errorf("agent: %w", err)
	}
	return d, nil
}
