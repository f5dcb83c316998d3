package e2e

import (
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestHTTPSOrigins: https-only and match-viewer origins speak TLS to the
// origin's HTTPSPort, verified against --origin-ca; an origin certificate
// the edge does not trust is a 502 OriginConnectError (spec §6).
func TestHTTPSOrigins(t *testing.T) {
	t.Parallel()
	plain := newOrigin(t, "plain", nil)
	secure := newOrigin(t, "secure", nil)
	// Serve the secure origin's recorder over TLS instead of plain HTTP.
	secure.srv.Close()
	secure.srv = httptest.NewUnstartedServer(http.HandlerFunc(secure.serve))
	secure.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the distrusting edge's failed handshakes
	secure.srv.StartTLS()
	t.Cleanup(secure.srv.Close)
	_, tlsPortText, _ := net.SplitHostPort(secure.srv.Listener.Addr().String())
	tlsPort, _ := strconv.Atoi(tlsPortText)
	caFile := filepath.Join(t.TempDir(), "origin-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	originWith := func(policy string) obj {
		o := customOrigin("o", "127.0.0.1", plain.port())
		o["CustomOriginConfig"] = with(o["CustomOriginConfig"].(obj), "HTTPSPort", tlsPort, "OriginProtocolPolicy", policy)
		return o
	}
	docs := map[string]any{
		"EHTTPS.json": configDoc(distConfig([]obj{originWith("https-only")}, behavior("", "o"))),
		"EMATCH.json": configDoc(distConfig([]obj{originWith("match-viewer")}, behavior("", "o"))),
	}
	trusting := startEdge(t, docs, "--origin-ca", caFile)
	distrusting := startEdge(t, docs)
	for _, tc := range []struct {
		dist, proto string
		want        *origin
	}{
		{"EHTTPS", "http", secure},
		{"EHTTPS", "https", secure},
		{"EMATCH", "http", plain},
		{"EMATCH", "https", secure},
		{"EMATCH", "h2", secure},
	} {
		t.Run(tc.dist+" "+tc.proto, func(t *testing.T) {
			t.Parallel()
			r := trusting.do(t, request{Proto: tc.proto, Host: defaultDomain(tc.dist), Target: "/tls"})
			if r.Status != 200 {
				t.Fatalf("status: got %d, want 200; body %q", r.Status, r.Body)
			}
			// Reaching the TLS server proves the scheme; the plain one, too.
			tc.want.mustByID(t, r.ID())
		})
	}
	t.Run("untrusted origin certificate", func(t *testing.T) {
		t.Parallel()
		r := distrusting.do(t, request{Host: defaultDomain("EHTTPS"), Target: "/tls"})
		checkEdgePage(t, r, 502, "CloudFront wasn't able to connect to the origin.")
		l := distrusting.waitLogID(t, "EHTTPS.*.gz", r.ID())
		checkLog(t, l, map[string]string{"sc-status": "502", "x-edge-detailed-result-type": "OriginConnectError"})
	})
}
