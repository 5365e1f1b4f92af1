package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// latencies records how long each call of each method took, for one worker;
// merge combines the workers' records.
type latencies map[string][]time.Duration

func (l latencies) merge(o latencies) {
	for m, d := range o {
		l[m] = append(l[m], d...)
	}
}

// MethodStats are one method's figures in a run.
type MethodStats struct {
	Method string  `json:"method"`
	Calls  int     `json:"calls"`
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P95MS  float64 `json:"p95_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
}

// stats sorts each method's latencies and summarises them, busiest first.
func (l latencies) stats() []MethodStats {
	out := make([]MethodStats, 0, len(l))
	for m, d := range l {
		slices.Sort(d)
		var sum time.Duration
		for _, x := range d {
			sum += x
		}
		out = append(out, MethodStats{
			Method: m, Calls: len(d), MeanMS: ms(sum / time.Duration(len(d))),
			P50MS: ms(quantile(d, 0.50)), P95MS: ms(quantile(d, 0.95)), P99MS: ms(quantile(d, 0.99)), MaxMS: ms(d[len(d)-1]),
		})
	}
	slices.SortFunc(out, func(a, b MethodStats) int {
		if a.Calls != b.Calls {
			return b.Calls - a.Calls
		}
		return cmp.Compare(a.Method, b.Method)
	})
	return out
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms is d in milliseconds, rounded to microseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssSampler watches a process's resident memory: VmRSS every interval,
// and VmHWM (the kernel's own peak) at the end.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done sync.WaitGroup
	peak int64 // kB, largest VmRSS seen
}

func startRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{})}
	if pid <= 0 {
		return s
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb, err := procStatus(s.pid, "VmRSS"); err == nil {
				s.peak = max(s.peak, kb)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// RSS is the server's memory over the whole bench, in MiB.
type RSS struct {
	PID        int     `json:"pid"`
	PeakMiB    float64 `json:"peak_sampled_mib"` // largest VmRSS sampled
	HWMMiB     float64 `json:"hwm_mib"`          // VmHWM at the end
	EndMiB     float64 `json:"end_mib"`          // VmRSS at the end
	SampleMS   int     `json:"sample_every_ms"`
	SampleNote string  `json:"note,omitempty"`
}

// finish stops sampling and reads the final figures.
func (s *rssSampler) finish(every time.Duration) *RSS {
	if s.pid <= 0 {
		return nil
	}
	close(s.stop)
	s.done.Wait()
	r := &RSS{PID: s.pid, PeakMiB: mib(s.peak), SampleMS: int(every.Milliseconds())}
	hwm, err1 := procStatus(s.pid, "VmHWM")
	end, err2 := procStatus(s.pid, "VmRSS")
	if err1 != nil || err2 != nil {
		r.SampleNote = fmt.Sprintf("could not read /proc/%d/status at the end: %v", s.pid, err1)
	}
	r.HWMMiB, r.EndMiB = mib(hwm), mib(end)
	return r
}

func mib(kb int64) float64 { return float64(kb*10/1024) / 10 }

// procStatus reads one "Name: N kB" field of /proc/<pid>/status.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if ok && string(name) == field {
			return strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
