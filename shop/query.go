package shop

import "time"

// QueryFails counts the platform's answers to our queries about an order or
// a refund (orderquery, refundquery) that could not be acted on: a retCode
// FAIL, or an answer that disagrees with our records. A FAIL says neither
// paid nor unpaid, neither refunded nor not: it is counted, never taken
// for a verdict. Any answer that can be acted on starts the count again.
// The reconciler keeps it on the order or refund; the zero value is "none".
type QueryFails struct {
	// Count is how many came in a row.
	Count int `json:"count"`
	// Late is how many retCode FAILs in a row came after the order's payment
	// window: only these count towards closing an order the platform keeps
	// failing to answer about.
	Late int `json:"late,omitempty"`
	// Since is when the first of them came, At the last.
	Since time.Time `json:"since"`
	At    time.Time `json:"at"`
	// Why is the last one's short code, RetMsg its retMsg if any.
	Why    string `json:"why"`
	RetMsg string `json:"retMsg,omitempty"`
}

// Add records one more answer that could not be acted on. late is true for
// a retCode FAIL after the order's payment window, which adds to Late;
// anything else (an early FAIL, an answer that disagrees with our records)
// starts Late again from zero.
func (q *QueryFails) Add(at time.Time, why, retMsg string, late bool) {
	if q.Count == 0 {
		q.Since = at.UTC()
	}
	q.Count++
	if late {
		q.Late++
	} else {
		q.Late = 0
	}
	q.At, q.Why, q.RetMsg = at.UTC(), why, retMsg
}

// Reset forgets them, reporting whether there was anything to forget.
func (q *QueryFails) Reset() bool {
	if *q == (QueryFails{}) {
		return false
	}
	*q = QueryFails{}
	return true
}
