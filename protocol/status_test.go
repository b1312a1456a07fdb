package protocol

import (
	"net/http"
	"testing"
)

func TestStatusHTTP(t *testing.T) {
	tests := []struct {
		st         Status
		code       int
		retryAfter string
	}{
		{StatusOK, 200, ""},
		{StatusBusy, 503, "1"},
		{StatusUnauthorized, 401, ""},
		{StatusForbidden, 403, ""},
		{StatusBadRequest, 404, ""},
		{StatusTooMany, 503, "5"},
		{StatusNotSupported, 406, ""},
	}
	for _, tt := range tests {
		h := http.Header{}
		tt.st.SetHTTPHeaders(h)
		if got := tt.st.HTTP(); got != tt.code {
			t.Errorf("%d: HTTP %d, want %d", tt.st, got, tt.code)
		}
		if got := h.Get("Retry-After"); got != tt.retryAfter {
			t.Errorf("%d: Retry-After %q, want %q", tt.st, got, tt.retryAfter)
		}
		if h.Get("X-P2pcam-Status") == "" {
			t.Errorf("%d: no X-P2pcam-Status", tt.st)
		}
	}
}
