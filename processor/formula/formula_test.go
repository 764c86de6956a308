package formula

import (
	"errors"
	"testing"
)

func TestEval(t *testing.T) {
	env := MapEnv(map[string]float64{"a": 3, "b": 1, "c": 4, "z": 0})
	tests := []struct {
		src  string
		want float64
	}{
		{"a/c + 0.5*b/c", 0.875},
		{"(a + b) * 485 / (485 + c)", 4 * 485.0 / 489},
		{"a <= c", 1},
		{"a > c", 0},
		{"a == 3 and b == 1", 1},
		{"z or a", 1},
		{"not z", 1},
		{"min(a, b, c)", 1},
		{"max(a, c)", 4},
		{"-a + 5", 2},
		{"a >= 3 ? 10 : 0", 10},
		{"1/2", 0.5},
	}
	for _, tt := range tests {
		got, err := mustCompile(tt.src).Eval(env)
		if err != nil || got != tt.want {
			t.Errorf("%s = %v, %v; want %v", tt.src, got, err, tt.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	env := MapEnv(map[string]float64{"a": 3, "z": 0})
	_, err := mustCompile("a / z").Eval(env)
	if !errors.Is(err, ErrDivZero) {
		t.Errorf("a/z: %v, want ErrDivZero", err)
	}
	_, err = mustCompile("a + q + r + q").Eval(env)
	var me *MissingError
	if !errors.As(err, &me) || len(me.Vars) != 2 || me.Vars[0] != "q" || me.Vars[1] != "r" {
		t.Errorf("missing: %v", err)
	}
	// A false left side of "and" needs nothing on the right.
	if v, err := mustCompile("z and q").Eval(env); err != nil || v != 0 {
		t.Errorf("short-circuit: %v, %v", v, err)
	}
}

func TestCompileRejects(t *testing.T) {
	for _, src := range []string{`"text"`, "a.b", "len(a)", "a ?? b", "a in [1]", "a ** 2", "upper(a)", "a +"} {
		if _, err := Compile(src); err == nil {
			t.Errorf("%s: compiled, want rejection", src)
		}
	}
}

func TestVars(t *testing.T) {
	got := mustCompile("b/a + so_cbcc*a").Vars()
	if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "so_cbcc" {
		t.Errorf("Vars = %v", got)
	}
}

func TestExcel(t *testing.T) {
	ref := func(n string) string { return "v_" + n }
	tests := []struct{ src, want string }{
		{"a/c + 0.5*b/c", "((v_a/v_c)+((0.5*v_b)/v_c))"},
		{"a <= b", "(v_a<=v_b)"},
		{"a == b and not c", "AND((v_a=v_b),NOT(v_c))"},
		{"min(a, 1)", "MIN(v_a,1)"},
		{"a > 1 ? 2 : 3", "IF((v_a>1),2,3)"},
	}
	for _, tt := range tests {
		if got := mustCompile(tt.src).Excel(ref); got != tt.want {
			t.Errorf("%s → %s, want %s", tt.src, got, tt.want)
		}
	}
}

func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{"a/b", "(a+b)*485/(485+c)", "a <= b and c", "min(a,b)", "a ? b : c"} {
		f.Add(s)
	}
	env := MapEnv(map[string]float64{"a": 1, "b": 0, "c": 2})
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Compile(src)
		if err != nil {
			return
		}
		_, _ = e.Eval(env)
		_ = e.Excel(func(n string) string { return n })
	})
}

// mustCompile is Compile for expressions known to be valid.
func mustCompile(src string) *Expr {
	e, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return e
}
