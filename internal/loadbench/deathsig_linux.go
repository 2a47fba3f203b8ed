package main

import (
	"os/exec"
	"syscall"
)

// dieWithBench makes the kernel kill cmd when the bench dies, however it
// dies: a bench piped into head, which exits early, left a server running
// for the rest of the day and taking CPU from every later run.
func dieWithBench(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
