// Command baseline is the yardstick chiso's speed is quoted against: what
// excelize alone takes to open each workbook of a folder, read every cell
// of every sheet, and save a copy, with a pool of workers.
//
//	go run ./bench/baseline -workers 2 -out /tmp/copies /tmp/bench/inbox
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	workers := flag.Int("workers", 2, "workbooks processed in parallel")
	out := flag.String("out", "", "folder for the copies (default: a temporary one, removed)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: baseline [-workers N] [-out DIR] INBOX")
		os.Exit(2)
	}
	dir := *out
	if dir != "" {
		// The copies must be saved somewhere: without the folder every save
		// failed and the baseline measured only opening and reading.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "baseline")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	entries, err := os.ReadDir(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done, failed := 0, 0
	start := time.Now()
	for range *workers {
		wg.Go(func() {
			for p := range jobs {
				ok := copyOne(p, filepath.Join(dir, filepath.Base(p)))
				mu.Lock()
				if ok {
					done++
				} else {
					failed++
				}
				mu.Unlock()
			}
		})
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".xlsx") {
			jobs <- filepath.Join(flag.Arg(0), e.Name())
		}
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("excelize open+read+save: %d workbooks (%d unreadable) in %.2f s\n", done, failed, time.Since(start).Seconds())
}

// copyOne opens a workbook, reads every cell of every sheet and saves a
// copy; false when excelize cannot open it (the bad files of the batch).
func copyOne(src, dst string) bool {
	f, err := excelize.OpenFile(src)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, s := range f.GetSheetList() {
		if _, err := f.GetRows(s); err != nil {
			return false
		}
	}
	return f.SaveAs(dst) == nil
}
