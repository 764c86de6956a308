package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
)

// TestTwoNamesOneFold: Hợp Thành and Hợp Thanh are two communes. Each
// one's own issued form is accepted as itself, and their results go to two
// folders named with their codes.
func TestTwoNamesOneFold(t *testing.T) {
	h1, h2 := roster.Unit{Code: "H1", Name: "Xã Hợp Thành"}, roster.Unit{Code: "H2", Name: "Xã Hợp Thanh"}
	e := newPlEnv(t, 2)
	e.p.Evaluator.Roster = roster.NewIndex(append([]roster.Unit{h1, h2}, plRoster...))
	e.drop("hop-thanh-1.xlsx", books.Filled(t, h1, books.Options{Seed: 1}), 3)
	e.drop("hop-thanh-2.xlsx", books.Filled(t, h2, books.Options{Seed: 2}), 2)
	e.run()
	dirs := map[string]bool{}
	for name, want := range map[string]string{"hop-thanh-1.xlsx": "H1", "hop-thanh-2.xlsx": "H2"} {
		f := e.one(name)
		if f.Outcome != ledger.Accepted || f.UnitCode != want {
			t.Errorf("%s: %s %s (%s), want accepted as %s", name, f.Outcome, f.UnitCode, f.Message, want)
		}
		dirs[filepath.Dir(f.OutputPath)] = true
		if _, err := os.Stat(f.OutputPath); err != nil {
			t.Error(err)
		}
	}
	want := map[string]bool{filepath.Join(e.outbox, "2023", "h1-xa-hop-thanh"): true, filepath.Join(e.outbox, "2023", "h2-xa-hop-thanh"): true}
	if len(dirs) != 2 || !dirs[filepath.Join(e.outbox, "2023", "h1-xa-hop-thanh")] || !dirs[filepath.Join(e.outbox, "2023", "h2-xa-hop-thanh")] {
		t.Errorf("result folders %v, want %v", dirs, want)
	}
}
