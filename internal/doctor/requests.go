package doctor

// The requests array of --json: bounded, the earliest requests kept.

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
	verdict Verdict         // until resolve fills in the fields above
	pending *classification // or the alternatives timing decides between
	ttfb    int64
	stats   string
	beh     *Behavior
}

// reqHeap keeps the earliest requests: a max-heap on (time, id), so the
// latest is dropped when it is full. It is written out rather than through
// container/heap: most refused requests of a long log are compared with
// the root, and many replace it.
type reqHeap []*Request

// keep adds r unless max requests are kept and all are earlier.
func (h *reqHeap) keep(r *Request, max int) bool {
	if max <= 0 {
		return false
	}
	if len(*h) < max {
		*h = append(*h, r)
		h.up(len(*h) - 1)
		return true
	}
	if r.ex.less((*h)[0].ex) {
		(*h)[0] = r
		h.down(0)
		return true
	}
	return false
}

func (h reqHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h[p].ex.less(h[i].ex) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (h reqHeap) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if r := c + 1; r < len(h) && h[c].ex.less(h[r].ex) {
			c = r
		}
		if !h[i].ex.less(h[c].ex) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
