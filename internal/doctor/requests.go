package doctor

// The requests array of --json: bounded, the earliest requests kept.

import "container/heap"

// Request is one classified request in --json's requests array.
type Request struct {
	RequestID    string   `json:"request_id"`
	Time         string   `json:"time"`
	Status       int      `json:"status"`
	Method       string   `json:"method"`
	Host         string   `json:"host"`
	Path         string   `json:"path"`
	Distribution string   `json:"distribution"`
	Cause        string   `json:"cause"`
	Detail       string   `json:"detail"`
	Confidence   string   `json:"confidence"`
	Candidates   []string `json:"candidates"`
	Evidence     []string `json:"evidence"`

	ex      example
	pending *classification
	ttfb    int64
	stats   string
	beh     *Behavior
}

// reqHeap keeps the earliest requests: a max-heap on (time, id), so the
// latest is dropped when it is full.
type reqHeap []*Request

func (h reqHeap) Len() int           { return len(h) }
func (h reqHeap) Less(i, j int) bool { return h[j].ex.less(h[i].ex) }
func (h reqHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *reqHeap) Push(x any)        { *h = append(*h, x.(*Request)) }
func (h *reqHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// keep adds r unless max requests are kept and all are earlier.
func (h *reqHeap) keep(r *Request, max int) bool {
	if max <= 0 {
		return false
	}
	if h.Len() < max {
		heap.Push(h, r)
		return true
	}
	if r.ex.less((*h)[0].ex) {
		(*h)[0] = r
		heap.Fix(h, 0)
		return true
	}
	return false
}
