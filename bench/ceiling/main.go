// Command ceiling is the yardstick bench/proxy.sh measures openfront against:
// minimal Go reverse proxies with none of the edge's work, so a run shows
// how much of the gap to nginx is the edge and how much the HTTP stack.
//
//	ceiling MODE LISTEN ORIGIN
//
// Modes: reverseproxy (net/http server, httputil.ReverseProxy and its
// Transport), nethttp-hostclient (net/http server, fasthttp's HostClient to
// the origin: openfront's stack), fasthttp (fasthttp server and client).
package main

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/valyala/fasthttp"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: ceiling reverseproxy|nethttp-hostclient|fasthttp LISTEN ORIGIN")
		os.Exit(2)
	}
	mode, addr, origin := os.Args[1], os.Args[2], os.Args[3]
	hc := &fasthttp.HostClient{Addr: origin, MaxConns: 1024, MaxIdleConnDuration: time.Minute}
	var err error
	switch mode {
	case "reverseproxy":
		u := &url.URL{Scheme: "http", Host: origin}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.Transport = &http.Transport{MaxIdleConnsPerHost: 1024}
		err = http.ListenAndServe(addr, rp)
	case "nethttp-hostclient":
		err = http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(r.RequestURI)
			req.Header.SetMethod(r.Method)
			req.Header.SetHost(origin)
			for k, vs := range r.Header {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			if err := hc.Do(req, resp); err != nil {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			h := w.Header()
			for k, v := range resp.Header.All() {
				h[string(k)] = append(h[string(k)], string(v))
			}
			w.WriteHeader(resp.StatusCode())
			w.Write(resp.Body())
		}))
	case "fasthttp":
		err = fasthttp.ListenAndServe(addr, func(ctx *fasthttp.RequestCtx) {
			ctx.Request.Header.SetHost(origin)
			if err := hc.Do(&ctx.Request, &ctx.Response); err != nil {
				ctx.SetStatusCode(fasthttp.StatusBadGateway)
			}
		})
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
