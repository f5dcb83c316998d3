package main

import (
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/openfront-edge/openfront/internal/edge"
)

// Invalidations on the admin listener, two ways:
//
//	POST /invalidate?distribution=ID&path=/images/*&path=/index.html
//	POST /2020-05-31/distribution/ID/invalidation   (CloudFront's API, so that
//	     aws cloudfront create-invalidation --endpoint-url http://ADMIN works;
//	     get-invalidation and the invalidation-completed waiter too)
//
// Paths follow create-invalidation's: exact, or a prefix ending in "*". An
// invalidation completes at once.

const cloudFrontXMLNS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

type invalidationBatch struct {
	Paths struct {
		Quantity int      `xml:"Quantity"`
		Items    []string `xml:"Items>Path"`
	} `xml:"Paths"`
	CallerReference string `xml:"CallerReference"`
}

type invalidation struct {
	XMLName           xml.Name          `xml:"Invalidation"`
	XMLNS             string            `xml:"xmlns,attr"`
	ID                string            `xml:"Id"`
	Status            string            `xml:"Status"`
	CreateTime        string            `xml:"CreateTime"`
	InvalidationBatch invalidationBatch `xml:"InvalidationBatch"`
}

// invalidations remembers the ones made, for get-invalidation.
type invalidations struct {
	mu   sync.Mutex
	byID map[string]*invalidation // "DIST/ID"
}

func (e *running) registerInvalidations(mux *http.ServeMux) {
	inv := &invalidations{byID: map[string]*invalidation{}}
	mux.HandleFunc("POST /invalidate", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		id, paths := q.Get("distribution"), q["path"]
		if id == "" || len(paths) == 0 {
			http.Error(w, "want ?distribution=ID&path=/PATH (repeatable; a trailing * matches a prefix)", http.StatusBadRequest)
			return
		}
		if !e.hasDistribution(id) {
			http.Error(w, "no distribution "+id, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Distribution string   `json:"distribution"`
			Paths        []string `json:"paths"`
			Invalidated  int      `json:"invalidated"`
		}{id, paths, e.invalidate(id, paths)})
	})
	mux.HandleFunc("POST /2020-05-31/distribution/{id}/invalidation", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !e.hasDistribution(id) {
			apiError(w, http.StatusNotFound, "NoSuchDistribution", "The specified distribution does not exist.")
			return
		}
		var b invalidationBatch
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := xml.Unmarshal(body, &b); err != nil || len(b.Paths.Items) == 0 || b.Paths.Quantity != len(b.Paths.Items) {
			apiError(w, http.StatusBadRequest, "InvalidArgument", "Your request contains one or more invalid invalidation paths.")
			return
		}
		for _, p := range b.Paths.Items {
			if !strings.HasPrefix(p, "/") {
				apiError(w, http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("Your request contains one or more invalid invalidation paths: %q does not begin with /.", p))
				return
			}
		}
		n := e.invalidate(id, b.Paths.Items)
		e.logger.Info("invalidation", "distribution", id, "paths", b.Paths.Items, "objects", n)
		v := &invalidation{XMLNS: cloudFrontXMLNS, ID: invalidationID(), Status: "Completed",
			CreateTime: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), InvalidationBatch: b}
		inv.mu.Lock()
		inv.byID[id+"/"+v.ID] = v
		inv.mu.Unlock()
		w.Header().Set("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+id+"/invalidation/"+v.ID)
		writeXML(w, http.StatusCreated, v)
	})
	mux.HandleFunc("GET /2020-05-31/distribution/{id}/invalidation/{inv}", func(w http.ResponseWriter, r *http.Request) {
		inv.mu.Lock()
		v := inv.byID[r.PathValue("id")+"/"+r.PathValue("inv")]
		inv.mu.Unlock()
		if v == nil {
			apiError(w, http.StatusNotFound, "NoSuchInvalidation", "The specified invalidation does not exist.")
			return
		}
		writeXML(w, http.StatusOK, v)
	})
}

func (e *running) hasDistribution(id string) bool {
	return slices.ContainsFunc(e.srv.Snapshot().Summaries(), func(d edge.DistributionSummary) bool { return d.ID == id })
}

func (e *running) invalidate(id string, paths []string) int {
	if c := e.srv.Cache(); c != nil {
		return c.Invalidate(id, paths)
	}
	return 0
}

// invalidationID is an id in CloudFront's form: I and 13 upper-case
// letters and digits.
func invalidationID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 13)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "I" + string(b)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(v)
}

// apiError answers as CloudFront's API does (REST-XML ErrorResponse).
func apiError(w http.ResponseWriter, status int, code, msg string) {
	type errBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	writeXML(w, status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		XMLNS     string   `xml:"xmlns,attr"`
		Error     errBody  `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{XMLNS: cloudFrontXMLNS, Error: errBody{"Sender", code, msg}, RequestID: invalidationID()})
}
