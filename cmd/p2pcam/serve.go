package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/p2pcam/p2pcam/internal/cors"
	"github.com/p2pcam/p2pcam/viewer/gateway"
	"github.com/p2pcam/p2pcam/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	listen := fs.String("listen", "127.0.0.1:8090", "local HTTP `address`")
	maxLag := registerMaxLag(fs)
	var origins stringList
	fs.Var(&origins, "allow-origin", "an `origin` (https://host[:port]) whose pages may play the gateway from a browser (repeatable); \"*\" is refused: the gateway has no login of its own")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := cf.config(); err != nil {
		return err
	}
	policy, err := cors.New(origins)
	if err != nil {
		return fmt.Errorf("--allow-origin: %w", err)
	}
	if policy.AllowsAny() {
		return fmt.Errorf("--allow-origin \"*\": the gateway serves the camera with your token to whoever asks; list the pages' origins instead")
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	gw := gateway.New(cf.dial, nil)
	gw.MaxLag = *maxLag
	defer gw.Close()
	go gw.Warm(ctx)
	fmt.Fprintf(stdout, "p2pcam: serving %s at http://%s/ipc.flv?action=live&channel=0&quality=high\n", cf.device, ln.Addr())
	fmt.Fprintf(stdout, "open:    http://%s/   (the player page: plays %s in the browser over HTTP-FLV)\n", ln.Addr(), cf.device)
	return serveHTTP(ctx, ln, policy.Wrap(serveMux(gw, cf.device)))
}

// serveMux serves the gateway's /ipc.flv and /command, and the player
// page, set up to play the gateway's camera at once (muted autoplay,
// HTTP-FLV): the gateway has no cloud behind it to sign in to.
func serveMux(gw http.Handler, device string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/ipc.flv", gw)
	mux.Handle("/command", gw)
	mux.Handle("/config.json", web.ConfigHandler(web.Config{
		Cameras: []web.Camera{{Name: device, URL: "./"}}, Autoplay: []string{device}, NoSignIn: true}))
	mux.Handle("/", web.Handler())
	return mux
}

// serveHTTP serves h on ln until ctx is done.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
