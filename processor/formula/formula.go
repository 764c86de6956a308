// Package formula compiles the small arithmetic expressions of rubric files
// ("a/c + 0.5*b/c", "(A + B) * 485 / (485 + C)", "a <= b"). Parsing is done by
// expr-lang; evaluation and translation to Excel formulas walk the same
// restricted tree, so the engine and the generated workbooks cannot disagree.
package formula

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Expr is a compiled expression.
type Expr struct {
	src  string
	root ast.Node
	vars []string
}

// MissingError reports the variables an evaluation needed but did not have.
type MissingError struct{ Vars []string }

func (e *MissingError) Error() string { return "missing " + strings.Join(e.Vars, ", ") }

// ErrDivZero is returned when a division's denominator is zero.
var ErrDivZero = errors.New("division by zero")

// Compile parses src and checks it uses only numbers, identifiers, arithmetic,
// comparisons, and/or/not, min and max.
func Compile(src string) (*Expr, error) {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	e := &Expr{src: src, root: tree.Node}
	seen := map[string]bool{}
	if err := check(tree.Node, seen); err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	for v := range seen {
		e.vars = append(e.vars, v)
	}
	sort.Strings(e.vars)
	return e, nil
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Vars returns the identifiers the expression uses, sorted.
func (e *Expr) Vars() []string { return e.vars }

var binaryOps = map[string]bool{
	"+": true, "-": true, "*": true, "/": true,
	"<": true, "<=": true, ">": true, ">=": true, "==": true, "!=": true,
	"and": true, "or": true, "&&": true, "||": true,
}

func check(n ast.Node, vars map[string]bool) error {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		vars[n.Value] = true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
	case *ast.UnaryNode:
		if n.Operator != "-" && n.Operator != "+" && n.Operator != "not" && n.Operator != "!" {
			return fmt.Errorf("operator %q is not allowed", n.Operator)
		}
		return check(n.Node, vars)
	case *ast.BinaryNode:
		if !binaryOps[n.Operator] {
			return fmt.Errorf("operator %q is not allowed", n.Operator)
		}
		if err := check(n.Left, vars); err != nil {
			return err
		}
		return check(n.Right, vars)
	case *ast.BuiltinNode:
		if n.Name != "min" && n.Name != "max" {
			return fmt.Errorf("function %q is not allowed (only min, max)", n.Name)
		}
		if len(n.Arguments) < 2 {
			return fmt.Errorf("%s needs at least two arguments", n.Name)
		}
		for _, a := range n.Arguments {
			if err := check(a, vars); err != nil {
				return err
			}
		}
	case *ast.ConditionalNode:
		for _, x := range []ast.Node{n.Cond, n.Exp1, n.Exp2} {
			if err := check(x, vars); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%T is not allowed", n)
	}
	return nil
}

// Env supplies variable values; ok is false when the value is missing.
type Env func(name string) (v float64, ok bool)

// MapEnv adapts a map to an Env.
func MapEnv(m map[string]float64) Env {
	return func(name string) (float64, bool) { v, ok := m[name]; return v, ok }
}

// Eval evaluates the expression. Booleans are 1 and 0. It returns a
// *MissingError listing every missing variable the evaluation reached, and
// ErrDivZero for a zero denominator.
func (e *Expr) Eval(env Env) (float64, error) {
	ev := evaluator{env: env}
	v := ev.eval(e.root)
	if len(ev.missing) > 0 {
		sort.Strings(ev.missing)
		return 0, &MissingError{Vars: ev.missing}
	}
	if ev.divZero {
		return 0, ErrDivZero
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("expression %q is not a finite number", e.src)
	}
	return v, nil
}

type evaluator struct {
	env     Env
	missing []string
	divZero bool
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (ev *evaluator) eval(n ast.Node) float64 {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		v, ok := ev.env(n.Value)
		if !ok {
			for _, m := range ev.missing {
				if m == n.Value {
					return 0
				}
			}
			ev.missing = append(ev.missing, n.Value)
			return 0
		}
		return v
	case *ast.IntegerNode:
		return float64(n.Value)
	case *ast.FloatNode:
		return n.Value
	case *ast.BoolNode:
		return b2f(n.Value)
	case *ast.UnaryNode:
		x := ev.eval(n.Node)
		switch n.Operator {
		case "-":
			return -x
		case "not", "!":
			return b2f(x == 0)
		}
		return x
	case *ast.BinaryNode:
		l := ev.eval(n.Left)
		// and/or short-circuit so a false gate needs nothing more.
		switch n.Operator {
		case "and", "&&":
			if l == 0 {
				return 0
			}
			return b2f(ev.eval(n.Right) != 0)
		case "or", "||":
			if l != 0 {
				return 1
			}
			return b2f(ev.eval(n.Right) != 0)
		}
		r := ev.eval(n.Right)
		switch n.Operator {
		case "+":
			return l + r
		case "-":
			return l - r
		case "*":
			return l * r
		case "/":
			if r == 0 {
				ev.divZero = true
				return 0
			}
			return l / r
		case "<":
			return b2f(l < r)
		case "<=":
			return b2f(l <= r)
		case ">":
			return b2f(l > r)
		case ">=":
			return b2f(l >= r)
		case "==":
			return b2f(l == r)
		case "!=":
			return b2f(l != r)
		}
	case *ast.BuiltinNode:
		best := ev.eval(n.Arguments[0])
		for _, a := range n.Arguments[1:] {
			x := ev.eval(a)
			if (n.Name == "min" && x < best) || (n.Name == "max" && x > best) {
				best = x
			}
		}
		return best
	case *ast.ConditionalNode:
		if ev.eval(n.Cond) != 0 {
			return ev.eval(n.Exp1)
		}
		return ev.eval(n.Exp2)
	}
	return math.NaN()
}

// Excel translates the expression to an Excel formula body (without "="),
// with each variable replaced by ref(name). Comparisons yield TRUE/FALSE,
// which Excel arithmetic treats as 1/0 like Eval does.
func (e *Expr) Excel(ref func(name string) string) string {
	return excel(e.root, ref)
}

func excel(n ast.Node, ref func(string) string) string {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		return ref(n.Value)
	case *ast.IntegerNode:
		return strconv.Itoa(n.Value)
	case *ast.FloatNode:
		return strconv.FormatFloat(n.Value, 'f', -1, 64)
	case *ast.BoolNode:
		if n.Value {
			return "TRUE"
		}
		return "FALSE"
	case *ast.UnaryNode:
		switch n.Operator {
		case "not", "!":
			return "NOT(" + excel(n.Node, ref) + ")"
		}
		return "(" + n.Operator + excel(n.Node, ref) + ")"
	case *ast.BinaryNode:
		l, r := excel(n.Left, ref), excel(n.Right, ref)
		switch n.Operator {
		case "and", "&&":
			return "AND(" + l + "," + r + ")"
		case "or", "||":
			return "OR(" + l + "," + r + ")"
		case "==":
			return "(" + l + "=" + r + ")"
		case "!=":
			return "(" + l + "<>" + r + ")"
		}
		return "(" + l + n.Operator + r + ")"
	case *ast.BuiltinNode:
		args := make([]string, len(n.Arguments))
		for i, a := range n.Arguments {
			args[i] = excel(a, ref)
		}
		return strings.ToUpper(n.Name) + "(" + strings.Join(args, ",") + ")"
	case *ast.ConditionalNode:
		return "IF(" + excel(n.Cond, ref) + "," + excel(n.Exp1, ref) + "," + excel(n.Exp2, ref) + ")"
	}
	return "NA()"
}
