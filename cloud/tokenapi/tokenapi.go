// Package tokenapi is the wire format of the dev cloud's token service
// (docs/protocol.md, "Browsers: MQTT over WebSocket and the token
// service") and a Go client for it, so that viewers can log in without
// linking the cloud itself.
package tokenapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Paths of the service's calls.
const (
	LoginPath = "/api/login"
	TokenPath = "/api/token"
	// SessionPath trades a remembered sign-in's cookie for a login answer.
	SessionPath = "/api/session"
	// LogoutPath ends a remembered sign-in.
	LogoutPath = "/api/logout"
)

// maxAnswer bounds an answer read from the service: a login lists a
// token per shared device, each well under 1 KiB.
const maxAnswer = 1 << 20

// LoginRequest is the body of POST /api/login and /api/token.
type LoginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Device   string `json:"device,omitempty"` // /api/token only
	// Remember (/api/login only) asks for a remembered sign-in: an
	// HttpOnly cookie that /api/session takes instead of the password.
	Remember bool `json:"remember,omitempty"`
}

// LoginResponse answers POST /api/login: everything a viewer needs to
// reach the devices shared with the account.
type LoginResponse struct {
	User       string        `json:"user"`
	Expires    int64         `json:"expires"` // unix seconds; log in again before
	MQTT       MQTTLogin     `json:"mqtt"`
	ICEServers []ICEServer   `json:"ice_servers"`
	Devices    []DeviceGrant `json:"devices"`
}

// MQTTLogin is how a browser reaches the broker: MQTT 5 over WebSocket
// with a session credential instead of the account's password.
type MQTTLogin struct {
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// ICEServer is a WebRTC RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// DeviceGrant is one device shared with the account, with a token for it.
type DeviceGrant struct {
	Device string   `json:"device"`
	Perms  []string `json:"perm"`
	Token  string   `json:"token"`
}

// Grant returns the grant for device, if the account has one.
func (r *LoginResponse) Grant(device string) (DeviceGrant, bool) {
	for _, g := range r.Devices {
		if g.Device == device {
			return g, true
		}
	}
	return DeviceGrant{}, false
}

// TokenResponse answers POST /api/token.
type TokenResponse struct {
	Token   string `json:"token"`
	Expires int64  `json:"expires"`
}

// Error is the body of a refused call.
type Error struct {
	Error string `json:"error"`
}

// Login logs user in at the service at base ("http://host:port").
func Login(ctx context.Context, base, user, password string) (*LoginResponse, error) {
	var out LoginResponse
	if err := call(ctx, base+LoginPath, LoginRequest{User: user, Password: password}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// call POSTs req as JSON and decodes the answer into out.
func call(ctx context.Context, url string, req, out any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("token service: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return fmt.Errorf("token service: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("token service %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e Error
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return fmt.Errorf("token service %s: %s: %s", url, resp.Status, e.Error)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("token service %s: answer: %w", url, err)
	}
	return nil
}
