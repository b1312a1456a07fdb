package relay

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
)

// maxStatSize bounds the stat page read: nginx-rtmp writes about 400
// bytes per client, so 4 MiB holds some ten thousand.
const maxStatSize = 4 << 20

// stat is the part of nginx-rtmp's stat page (rtmp_stat all) read here.
type stat struct {
	Servers []struct {
		Apps []struct {
			Name    string `xml:"name"`
			Streams []struct {
				Name    string `xml:"name"`
				Clients []struct {
					Publishing *struct{} `xml:"publishing"`
				} `xml:"client"`
			} `xml:"live>stream"`
		} `xml:"application"`
	} `xml:"server"`
}

// ParseStat returns the players (clients not publishing) of stream name
// in application app on an nginx-rtmp stat page; 0 when the stream is
// not listed.
func ParseStat(b []byte, app, name string) (int, error) {
	var s stat
	if err := xml.Unmarshal(b, &s); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBadStat, err)
	}
	n := 0
	for _, srv := range s.Servers {
		for _, a := range srv.Apps {
			if a.Name != app {
				continue
			}
			for _, st := range a.Streams {
				if st.Name != name {
					continue
				}
				for _, c := range st.Clients {
					if c.Publishing == nil {
						n++
					}
				}
			}
		}
	}
	return n, nil
}

// Players reads the stat page at statURL and returns the players of
// stream name in app.
func Players(ctx context.Context, client *http.Client, statURL, app, name string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, statURL, nil)
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("relay: stat page %s: %s", statURL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxStatSize+1))
	if err != nil {
		return 0, fmt.Errorf("relay: stat page: %w", err)
	}
	if len(b) > maxStatSize {
		return 0, fmt.Errorf("%w: over %d bytes", ErrBadStat, maxStatSize)
	}
	return ParseStat(b, app, name)
}
