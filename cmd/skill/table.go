package main

import (
	"io"
	"strings"

	"golang.org/x/text/width"
)

// table writes rows as columns two spaces apart, each cell padded to its
// column by display width: a Chinese character ("2元") takes two columns
// of a terminal, where text/tabwriter counts one per rune and shifts the
// columns after it. The last column is not padded.
type table [][]string

// add appends a row.
func (t *table) add(cells ...string) { *t = append(*t, cells) }

// write writes the rows to w.
func (t table) write(w io.Writer) error {
	var widths []int
	for _, row := range t {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range t {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// displayWidth is how many terminal columns s takes: two for East Asian
// wide and fullwidth characters, one for others.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
