package importer

import (
	"regexp"
	"strings"
	"unicode"
)

// def is one figure a method defines: "a = Số lượng CBCC được trang bị máy tính".
type def struct {
	key   string // as written: "a", or "A" (an upper-case letter is reported)
	label string
}

// branch is a line of a ratio method: "Tỷ lệ ≥ 50%: Điểm tối đa".
type branch struct {
	op  string // ≥ > ≤ < =
	val float64
	pct bool
	out outcome
	ok  bool // the outcome was read
	raw string
}

// item is a "condition: outcome" line.
type item struct {
	cond        string
	out         outcome
	line        mline
	afterGroups int // groups opened before this top-level line
}

// group is a heading ("- Chuyên mục:") and the "+" lines under it.
type group struct {
	header string
	items  []item
}

// each is "Mỗi nền tảng sau được triển khai được 1/5 số điểm tối đa" and its list.
type each struct {
	subject, verb string
	frac          float64
	items         []string
}

// perItem is "Mỗi hoạt động …: 02 điểm" / "Mỗi điểm … được tính 1 điểm (Tối đa 5 điểm)".
type perItem struct {
	subject string
	note    string // parenthesised remarks after the points, kept in the label
	points  float64
	cap     *float64
}

// parsed is a method text split into the statements the importer knows.
type parsed struct {
	defs      []def
	ratioSrc  string // "(a+b)/(c+d)"
	num, den  string // the ratio as rule expressions, when it could be read
	ratioErr  string // why the ratio could not be read
	formula   string // right side of "Điểm = …" (folded)
	formulaTx string // as written
	branches  []branch
	minmax    bool
	top       []item
	groups    []*group
	each      *each
	per       *perItem
	perLine   int
	capMax    bool
	descs     []string
	unknown   []string
	lines     []mline
}

var (
	looseDef   = regexp.MustCompile(`(?:^|[.;,]\s+|\s)([A-Za-z])\s*=\s*`)
	defStop    = regexp.MustCompile(`[.;]\s+(?:Tỷ lệ|Tỉ lệ|Điểm|tỷ lệ)`)
	ratioDefRe = regexp.MustCompile(`^t[yi] le\s*=\s*([(a-z].*)$`)
	formulaRe  = regexp.MustCompile(`^diem\s*=\s*(.*)$`)
	branchRe   = regexp.MustCompile(`^t[yi] le\s*(≥|>|≤|<|=)\s*` + numRe + `\s*(%?)\s*:?\s*(.*)$`)
	minmaxRe   = regexp.MustCompile(`min\s*-?\s*max|(?:cao|lon|nhieu)\b.*\bnhat\b.*\bdiem toi da|chi cao nhat`)
	eachRe     = regexp.MustCompile(`^moi (.+?) sau (.*?)\s*duoc (\d+)\s*/\s*(\d+) (?:so )?diem toi da\.?$`)
	perItemRe  = regexp.MustCompile(`^moi (.+?)(?::\s*|\s+duoc tinh\s+|\s+duoc\s+)0*` + numRe + `\s*diem\b(.*)$`)
	capNRe     = regexp.MustCompile(`\(\s*toi da\s+` + numRe + `\s*diem\s*\)`)
	capMaxRe   = regexp.MustCompile(`tong (?:so )?diem khong (?:duoc )?(?:qua|vuot qua|vuot) (?:so )?diem toi da`)
	headerRe   = regexp.MustCompile(`^(?:diem|thang diem|cach tinh|cach cho diem)\s*[:=]?$`)
)

// parseMethod splits a method into the statements the importer knows and
// the lines it does not.
func parseMethod(method string) *parsed {
	p := &parsed{}
	lines, _ := methodLines(method)
	p.lines = lines
	var cur *group
	var curEach bool
	for _, l := range lines {
		rest := p.takeDefs(l)
		if rest == "" {
			continue
		}
		if rest != l.text {
			l = mline{text: rest, f: fold(rest), bullet: l.bullet}
		}
		f := l.f
		if l.bullet != '+' {
			cur, curEach = nil, false
		}
		switch {
		case ratioDefRe.MatchString(f) && p.ratioSrc == "":
			p.readRatio(ratioDefRe.FindStringSubmatch(f)[1])
		case formulaRe.MatchString(f):
			rhs := strings.TrimSpace(formulaRe.FindStringSubmatch(f)[1])
			if strings.Trim(rhs, " .;:") == "" {
				continue // "Điểm =" heading the branches below it
			}
			if p.formula != "" {
				p.unknown = append(p.unknown, l.text)
				continue
			}
			p.formula = strings.TrimRight(rhs, " .;")
			p.formulaTx = l.text
		case branchRe.MatchString(f):
			m := branchRe.FindStringSubmatch(f)
			b := branch{op: m[1], val: mustNum(m[2]), pct: m[3] == "%", raw: l.text}
			b.out, b.ok = parseOutcome(m[4])
			p.branches = append(p.branches, b)
		case minmaxRe.MatchString(f):
			p.minmax = true
		case eachRe.MatchString(f):
			m := eachRe.FindStringSubmatch(f)
			pq, q := mustNum(m[3]), mustNum(m[4])
			if q == 0 || pq > q || p.each != nil {
				p.unknown = append(p.unknown, l.text)
				continue
			}
			lm := eachRe.FindStringSubmatchIndex(f)
			p.each = &each{subject: l.sub(runeOff(f, lm[2]), runeOff(f, lm[3])), verb: l.sub(runeOff(f, lm[4]), runeOff(f, lm[5])), frac: pq / q}
			curEach = true
		case perItemRe.MatchString(f) && p.per == nil:
			m := perItemRe.FindStringSubmatchIndex(f)
			pi := &perItem{subject: l.sub(runeOff(f, m[2]), runeOff(f, m[3])), points: mustNum(f[m[4]:m[5]])}
			tail := f[m[6]:m[7]]
			tailTx := l.sub(runeOff(f, m[6]), runeOff(f, m[7]))
			if c := capNRe.FindStringSubmatchIndex(tail); c != nil {
				v := mustNum(tail[c[2]:c[3]])
				pi.cap = &v
				tailTx = string([]rune(tailTx)[:runeOff(tail, c[0])]) + string([]rune(tailTx)[runeOff(tail, c[1]):])
			}
			if capMaxRe.MatchString(tail) {
				p.capMax = true
				tailTx = ""
			}
			tailTx = strings.Trim(tailTx, " .;")
			if tailTx != "" {
				if !strings.HasPrefix(tailTx, "(") || !strings.HasSuffix(tailTx, ")") {
					p.unknown = append(p.unknown, l.text)
					continue
				}
				pi.note = tailTx
			}
			if pi.points <= 0 {
				p.unknown = append(p.unknown, l.text)
				continue
			}
			p.per = pi
			p.perLine = len(p.top)
		case capMaxRe.MatchString(f):
			p.capMax = true
		default:
			if cond, o, ok := splitOutcome(l); ok {
				it := item{cond: cond, out: o, line: l, afterGroups: len(p.groups)}
				if cur != nil && l.bullet == '+' {
					cur.items = append(cur.items, it)
				} else {
					p.top = append(p.top, it)
				}
				continue
			}
			if headerRe.MatchString(strings.TrimRight(f, " .")) {
				continue
			}
			if curEach && l.bullet == '+' {
				p.each.items = append(p.each.items, trimEnd(l.text))
				continue
			}
			if strings.HasSuffix(strings.TrimSpace(l.text), ":") {
				cur = &group{header: trimEnd(l.text)}
				p.groups = append(p.groups, cur)
				continue
			}
			p.descs = append(p.descs, l.text)
		}
	}
	return p
}

// takeDefs removes the definitions "a = …" from a line into p.defs and
// returns what is left of it ("Tỷ lệ = a/b." after "b = Tổng số DN. ").
func (p *parsed) takeDefs(l mline) string {
	t := l.text
	var locs [][]int
	for _, m := range looseDef.FindAllStringSubmatchIndex(t, -1) {
		key := t[m[2]:m[3]]
		strict := m[0] == 0 || strings.ContainsAny(t[m[0]:m[2]], ".;,")
		// Without punctuation before it ("… cộng đồng b = Tổng …", a method
		// whose line breaks were lost) a definition counts only when its
		// letter follows the one defined before it.
		if !strict && !(len(key) == 1 && len(p.defs)+len(locs) > 0 && key[0] == lastKey(p.defs, locs, t)+1) {
			continue
		}
		locs = append(locs, m)
	}
	if len(locs) == 0 {
		return t
	}
	var rest []string
	if pre := strings.TrimSpace(t[:locs[0][0]]); pre != "" {
		rest = append(rest, pre)
	}
	for i, m := range locs {
		end := len(t)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		body := t[m[1]:end]
		tail := ""
		if s := defStop.FindStringIndex(body); s != nil {
			tail = strings.TrimSpace(body[s[0]+1:])
			body = body[:s[0]]
		}
		p.defs = append(p.defs, def{key: t[m[2]:m[3]], label: trimEnd(body)})
		if tail != "" {
			rest = append(rest, tail)
		}
	}
	return strings.Join(rest, " ")
}

// lastKey is the letter of the definition before the next one found.
func lastKey(defs []def, locs [][]int, t string) byte {
	if len(locs) > 0 {
		m := locs[len(locs)-1]
		return t[m[2]]
	}
	return defs[len(defs)-1].key[0]
}

// readRatio reads "a/b", "(a+b)/(c+d)", "(b+c)/a": a quotient of a figure
// or a bracketed sum of figures. Anything else ("a+b/c", whose brackets
// were lost) is left for a person: p.ratioErr says why.
func (p *parsed) readRatio(src string) {
	src = strings.TrimRight(strings.TrimSpace(src), " .;:")
	if i := strings.IndexAny(src, ";:"); i >= 0 {
		src = src[:i]
	}
	p.ratioSrc = src
	compact := strings.ReplaceAll(src, " ", "")
	side := func(s string) (string, bool) {
		if len(s) == 1 && s[0] >= 'a' && s[0] <= 'z' {
			return s, true
		}
		if len(s) >= 5 && s[0] == '(' && s[len(s)-1] == ')' {
			var vars []string
			for _, v := range strings.Split(s[1:len(s)-1], "+") {
				if len(v) != 1 || v[0] < 'a' || v[0] > 'z' {
					return "", false
				}
				vars = append(vars, v)
			}
			return strings.Join(vars, " + "), true
		}
		return "", false
	}
	parts := strings.Split(compact, "/")
	if len(parts) == 2 {
		n, ok1 := side(parts[0])
		d, ok2 := side(parts[1])
		if ok1 && ok2 {
			p.num, p.den = n, d
			return
		}
	}
	p.ratioErr = "«Tỷ lệ = " + src + "» không đọc được chắc chắn: chỉ nhận a/b hoặc tổng trong ngoặc như (a+b)/(c+d); nếu thiếu ngoặc (a+b/c) thì không rõ là (a+b)/c hay a + b/c"
}

// vars returns the single-letter figures an expression of the rule uses.
func vars(exprs ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range exprs {
		for _, r := range e {
			if r >= 'a' && r <= 'z' && !seen[string(r)] {
				seen[string(r)] = true
				out = append(out, string(r))
			}
		}
	}
	return out
}

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
