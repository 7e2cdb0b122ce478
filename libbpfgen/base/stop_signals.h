// stop_signals.h: how a program that reads a live pipe is asked to stop: SIGINT (Ctrl-C),
// SIGTERM, or SIGPIPE (its output's reader went away). While a StopSignals object lives,
// those signals only set a flag, the one piece of global state of the project, and the
// readers of pipes and terminals wait for their input through wait_readable(), which a
// stop signal interrupts: reading ends at once, and the program finishes the record it is
// writing, flushes and reports, instead of dying with half a record written.
#pragma once

#include <csignal>

namespace bpfgen {

class StopSignals {
  public:
    // Installs the handlers (SA_RESTART: a write interrupted by the signal goes on, so that
    // the record being written is finished; only the wait in wait_readable() is cut short).
    // A second SIGINT or SIGTERM ends the program as if no handler were installed, for a
    // program that cannot finish its output (its reader stopped reading). A SIGPIPE ignored
    // when it is made stays ignored: whoever started the program wants a closed pipe to be
    // a write error (EPIPE). At most one StopSignals lives at a time.
    StopSignals();
    // Restores the dispositions found when it was made, and forgets the signals received.
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // The first stop signal received (SIGINT, SIGTERM or SIGPIPE), or 0.
    static int received();
    // Whether SIGPIPE was received: the output's reader is gone, whatever came first.
    static bool output_closed();

  private:
    struct sigaction previous_[3];
};

// Whether a stop signal has been received while a StopSignals was installed.
inline bool stop_requested() {
    return StopSignals::received() != 0;
}

// Waits until fd has something to read (bytes, its end or an error) and returns true, or
// returns false once a stop signal has been received. Without a StopSignals installed it
// does not wait: the read that follows blocks as it would have.
bool wait_readable(int fd);

// Whether a read of fd may go ahead: false once a stop signal has been received, or when
// one comes while fd is waited for (only when `may_block`: see wait_readable).
inline bool ready_to_read(int fd, bool may_block) {
    return !stop_requested() && (!may_block || wait_readable(fd));
}

// "SIGINT", "SIGTERM", "SIGPIPE" (for messages).
const char* stop_signal_name(int signal_number);

}  // namespace bpfgen
