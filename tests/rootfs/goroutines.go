// Goroutines, channels, a select with a timer, a mutex and os/exec.
package main

import (
	"fmt"
	"os/exec"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := make(chan int, 8)
	shared := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			x := 0
			for j := 0; j < 3000000; j++ {
				x = (x + j*n) % 1000003
			}
			mu.Lock()
			shared += n
			mu.Unlock()
			results <- x
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	select {
	case <-time.After(20 * time.Millisecond):
	case <-make(chan int):
	}
	out, err := exec.Command("/bin/echo", "exec", "ok").Output()
	fmt.Println("sum", sum, "shared", shared, string(out[:len(out)-1]), err)
}
