// Command devserver is the browser tests' stand-in for `p2pcam demo`
// with the dev cloud's HTTP side: one process with the dev cloud (MQTT
// broker, STUN/TURN), two sim cameras (demo/cam1 shared with
// demo-viewer, demo/cam2 not), and on one HTTP origin the page (package
// web), /mqtt (WebSocket, subprotocol mqtt, proxied to the broker),
// /api/login, /api/token and /config.json. It prints "listening URL".
//
// It exists so the SDK and page can be tested on their own; the product
// serves the same from `p2pcam demo` and `p2pcam cloud --http`.
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/web"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "HTTP `address`")
	verbose := flag.Bool("v", false, "log everything")
	flag.StringVar(&pageDir, "dir", "", "serve the page from this `directory` (web/) instead of the embedded copy")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *listen, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

var pageDir string

type server struct {
	brokerAddr string
	viewPass   string
	issuer     ed25519.PrivateKey
	cloud      *cloud.Cloud
	shared     map[string]bool
}

func run(ctx context.Context, listen string, verbose bool) error {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	dir, err := os.MkdirTemp("", "p2pcam-devserver-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cams := []string{"demo/cam1", "demo/cam2"}
	s := &server{viewPass: "demo-password", shared: map[string]bool{"demo/cam1": true}}
	var users []cloud.User
	camPass := map[string]string{}
	for _, c := range cams {
		camPass[c] = cloud.GeneratePassword()
		if users, err = cloud.AddUser(users, c, cloud.RoleDevice, camPass[c]); err != nil {
			return err
		}
	}
	if users, err = cloud.AddUser(users, "demo-viewer", cloud.RoleViewer, s.viewPass); err != nil {
		return err
	}
	if s.issuer, _, err = auth.LoadOrCreateDeviceKey(filepath.Join(dir, "issuer.key")); err != nil {
		return err
	}
	c, err := cloud.Start(cloud.Config{MQTT: cloud.BrokerConfig{Listen: "127.0.0.1:0", Users: users}, TURN: cloud.TURNConfig{Listen: "127.0.0.1:0"}, Logger: log})
	if err != nil {
		return err
	}
	defer c.Close()
	s.cloud = c
	ep := c.Endpoints()
	s.brokerAddr = strings.TrimPrefix(ep.MQTT, "mqtt://")
	camCtx, stopCams := context.WithCancel(ctx)
	done := make(chan error, len(cams))
	for _, name := range cams {
		tu, tp := c.TURNCredentials(name, 24*time.Hour)
		cam, err := agent.New(agent.Config{
			Device: name,
			Auth: agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(s.issuer.Public().(ed25519.PublicKey))},
				DeviceKey: filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".key")},
			P2P: agent.P2PConfig{Broker: ep.MQTT, Password: camPass[name], ICEServers: []agent.ICEServer{
				{URLs: []string{ep.STUN}}, {URLs: []string{ep.TURN}, Username: tu, Credential: tp}}},
			LAN:    agent.LANConfig{Listen: "off"},
			Link:   link.Options{LoopbackOnly: true},
			Logger: log,
		})
		if err != nil {
			stopCams()
			return err
		}
		go func() { done <- cam.Run(camCtx) }()
	}
	defer func() {
		stopCams()
		for range cams {
			<-done
		}
	}()

	mux := http.NewServeMux()
	page := web.Handler()
	if pageDir != "" {
		page = http.FileServerFS(os.DirFS(pageDir))
	}
	mux.Handle("/", page)
	mux.HandleFunc("/mqtt", s.serveMQTT)
	mux.HandleFunc("POST /api/login", s.login)
	mux.HandleFunc("POST /api/token", s.token)
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"cloud": "", "autologin": map[string]string{"user": "demo-viewer", "password": s.viewPass}, "autoplay": []string{"demo/cam1"}})
	})
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("listening http://%s/\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type loginReq struct {
	User, Password, Device string
}

func (s *server) check(w http.ResponseWriter, r *http.Request) (loginReq, bool) {
	var q loginReq
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&q); err != nil {
		writeJSON(w, 400, map[string]string{"error": "bad request: " + err.Error()})
		return q, false
	}
	if q.User != "demo-viewer" || q.Password != s.viewPass {
		writeJSON(w, 401, map[string]string{"error": "wrong user or password"})
		return q, false
	}
	return q, true
}

func (s *server) tokenFor(user, device string) (string, time.Time, error) {
	now := time.Now()
	exp := now.Add(time.Hour)
	t, err := auth.Sign(s.issuer, auth.Claims{Issuer: "devserver", Device: device, Subject: user, Perms: auth.PermAll, IssuedAt: now, Expiry: exp})
	return t, exp, err
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	q, ok := s.check(w, r)
	if !ok {
		return
	}
	tok, exp, err := s.tokenFor(q.User, "demo/cam1")
	if err != nil {
		writeJSON(w, 500, map[string]string{"error": err.Error()})
		return
	}
	ep := s.cloud.Endpoints()
	tu, tp := s.cloud.TURNCredentials(q.User, time.Hour)
	writeJSON(w, 200, map[string]any{
		"user": q.User, "expires": exp.Unix(),
		"mqtt":        map[string]string{"url": "ws://" + r.Host + "/mqtt", "username": q.User, "password": s.viewPass},
		"ice_servers": []map[string]any{{"urls": []string{ep.STUN}}, {"urls": []string{ep.TURN}, "username": tu, "credential": tp}},
		"devices":     []map[string]any{{"device": "demo/cam1", "perm": []string{"live", "voice", "command"}, "token": tok}},
	})
}

func (s *server) token(w http.ResponseWriter, r *http.Request) {
	q, ok := s.check(w, r)
	if !ok {
		return
	}
	if !s.shared[q.Device] {
		writeJSON(w, 403, map[string]string{"error": fmt.Sprintf("device %s is not shared with %s", q.Device, q.User)})
		return
	}
	tok, exp, err := s.tokenFor(q.User, q.Device)
	if err != nil {
		writeJSON(w, 500, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]any{"token": tok, "expires": exp.Unix()})
}

var upgrader = websocket.Upgrader{Subprotocols: []string{"mqtt"}, CheckOrigin: func(*http.Request) bool { return true }}

// serveMQTT carries MQTT between a WebSocket and the broker's TCP port.
func (s *server) serveMQTT(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	tcp, err := net.Dial("tcp", s.brokerAddr)
	if err != nil {
		return
	}
	defer tcp.Close()
	go func() {
		defer ws.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := tcp.Read(buf)
			if n > 0 {
				if ws.WriteMessage(websocket.BinaryMessage, buf[:n]) != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if _, err := tcp.Write(b); err != nil {
			return
		}
	}
}
