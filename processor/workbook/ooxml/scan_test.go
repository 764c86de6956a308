package ooxml

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// tokens returns the scanner's tokens as "kind depth name" strings.
func tokens(t *testing.T, doc string, lim Limits) ([]string, error) {
	t.Helper()
	lim = lim.withDefaults()
	// One byte at a time: every token crosses a buffer refill.
	s := newScanner(iotest.OneByteReader(strings.NewReader(doc)), "test.xml", &lim)
	var out []string
	for {
		k, err := s.next()
		if err != nil {
			return out, err
		}
		switch k {
		case tokEOF:
			return out, nil
		case tokStart:
			x := "start"
			if s.selfClose {
				x = "empty"
			}
			out = append(out, x+" "+string(rune('0'+s.depth))+" "+string(s.name))
		case tokEnd:
			out = append(out, "end "+string(rune('0'+s.depth))+" "+string(s.name))
		case tokText, tokCDATA:
			d, err := s.decode(nil, 1<<20)
			if err != nil {
				return out, err
			}
			out = append(out, "text "+string(d))
		case tokComment:
			out = append(out, "comment")
		case tokPI:
			out = append(out, "pi")
		}
	}
}

func TestScannerTokens(t *testing.T) {
	doc := `<?xml version="1.0"?>` + "\r\n" +
		`<x:a xmlns:x="u" q='>' r="a&gt;b"><!-- c --><x:b/><c>1 &amp; 2&#x41;&#66;` + "\r\n" + `</c><![CDATA[<raw>]]></x:a>`
	got, err := tokens(t, doc, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pi", "text \n", "start 1 x:a", "comment", "empty 2 x:b", "start 2 c", "text 1 & 2AB\n", "end 2 c", "text <raw>", "end 1 x:a"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestScannerErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		limit     Limit
	}{
		{"mismatch", `<a><b></a></b>`, ""},
		{"unclosed", `<a><b>`, ""},
		{"stray end", `</a>`, ""},
		{"doctype", `<!DOCTYPE a [<!ENTITY x "y">]><a/>`, ""},
		{"bad entity", `<a>&foo;</a>`, ""},
		{"bad char ref", `<a>&#1;</a>`, ""},
		{"lt in attr", `<a b="<"/>`, ""},
		{"unterminated tag", `<a b="1"`, ""},
		{"unterminated comment", `<a><!-- x</a>`, ""},
		{"bad name", `<1a/>`, ""},
		{"deep", strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200), LimitDepth},
		{"long text", "<a>" + strings.Repeat("x", 5000) + "</a>", LimitTokenBytes},
		{"long tag", "<a b=\"" + strings.Repeat("x", 5000) + "\"/>", LimitTokenBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tokens(t, tc.doc, Limits{MaxDepth: 100, MaxTokenBytes: 4096})
			if err == nil {
				t.Fatal("no error")
			}
			var le *LimitError
			var xe *XMLError
			switch {
			case tc.limit != "":
				if !errors.As(err, &le) || le.Limit != tc.limit || !errors.Is(err, ErrLimit) {
					t.Fatalf("want limit %q, got %v", tc.limit, err)
				}
			case !errors.As(err, &xe) || !errors.Is(err, ErrMalformed) || xe.Part != "test.xml":
				t.Fatalf("want XMLError, got %v", err)
			}
		})
	}
}

// TestScannerAgreesWithEncodingXML compares the decoded text of every
// element with encoding/xml on a document with the tricky parts.
func TestScannerAgreesWithEncodingXML(t *testing.T) {
	doc := `<r a="1&#10;2"><t xml:space="preserve"> x &lt;&amp;&gt; ` + "\r\n\r" + ` y </t><t>Tiếng Việt &#x1F600;</t><![CDATA[a]]b]]></r>`
	var want []string
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			want = append(want, "text "+string(cd))
		}
	}
	got, err := tokens(t, doc, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, g := range got {
		if strings.HasPrefix(g, "text ") {
			texts = append(texts, g)
		}
	}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, encoding/xml %q", texts, want)
	}
}

func TestRefs(t *testing.T) {
	for _, tc := range []struct {
		ref      string
		col, row int
	}{{"A1", 1, 1}, {"$B$12", 2, 12}, {"xfd1048576", 16384, 1048576}, {"AB3", 28, 3}} {
		c, r, err := ParseRef(tc.ref)
		if err != nil || c != tc.col || r != tc.row {
			t.Errorf("%s: %d %d %v", tc.ref, c, r, err)
		}
		if back := CellRef(c, r); !strings.EqualFold(back, strings.ReplaceAll(tc.ref, "$", "")) {
			t.Errorf("%s: back %s", tc.ref, back)
		}
	}
	for _, bad := range []string{"", "A", "1", "A0", "XFE1", "A1048577", "A1B", "ABCD1", "A-1"} {
		if _, _, err := ParseRef(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	r, err := ParseRange("C3:A1")
	if err != nil || r != (Range{1, 1, 3, 3}) || r.String() != "A1:C3" {
		t.Errorf("range %v %v", r, err)
	}
}
