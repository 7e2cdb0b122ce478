// stop_signals.cpp: the stop flag, its signal handler and the interruptible wait for input;
// see stop_signals.h.
#include "libbpfgen/base/stop_signals.h"

#include <poll.h>
#include <pthread.h>

#include <cerrno>
#include <cstring>

namespace bpfgen {

namespace {

constexpr int kStopSignals[3] = {SIGINT, SIGTERM, SIGPIPE};

// Set by the handler only, read everywhere else. The handler runs with the other stop
// signals blocked (sa_mask), so it never interrupts itself.
volatile std::sig_atomic_t first_stop_signal = 0;
volatile std::sig_atomic_t pipe_closed = 0;
// Whether a StopSignals is installed: without one, wait_readable() has nothing to wait for.
volatile std::sig_atomic_t installed = 0;

extern "C" void on_stop_signal(int signal_number) {
    if (first_stop_signal == 0) first_stop_signal = signal_number;
    if (signal_number == SIGPIPE) pipe_closed = 1;
}

sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    for (const int number : kStopSignals) sigaddset(&set, number);
    return set;
}

}  // namespace

StopSignals::StopSignals() {
    first_stop_signal = 0;
    pipe_closed = 0;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    action.sa_mask = stop_signal_set();
    for (int i = 0; i < 3; ++i) {
        ::sigaction(kStopSignals[i], nullptr, &previous_[i]);
        // An ignored SIGPIPE is a caller's wish for EPIPE, a write error, and stays so.
        if (kStopSignals[i] == SIGPIPE && previous_[i].sa_handler == SIG_IGN) continue;
        // SIGPIPE keeps its handler: every write to a closed pipe raises it again.
        action.sa_flags = SA_RESTART | (kStopSignals[i] == SIGPIPE ? 0 : SA_RESETHAND);
        ::sigaction(kStopSignals[i], &action, nullptr);
    }
    installed = 1;
}

StopSignals::~StopSignals() {
    installed = 0;
    for (int i = 0; i < 3; ++i) ::sigaction(kStopSignals[i], &previous_[i], nullptr);
    // What comes after (a test, another reader) is not asked to stop.
    first_stop_signal = 0;
    pipe_closed = 0;
}

int StopSignals::received() {
    return first_stop_signal;
}

bool StopSignals::output_closed() {
    return pipe_closed != 0;
}

bool wait_readable(int fd) {
    if (installed == 0) return true;
    // The flag is tested with the stop signals blocked, and ppoll() unblocks them only
    // while it waits: a signal that comes between the test and the wait still ends it.
    const sigset_t stop_set = stop_signal_set();
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &stop_set, &previous);
    bool stopped = first_stop_signal != 0;
    const int saved_errno = errno;
    while (!stopped) {
        pollfd request{fd, POLLIN, 0};
        const int ready = ::ppoll(&request, 1, nullptr, &previous);
        if (ready > 0 || (ready < 0 && errno != EINTR)) break;  // the read tells the rest
        stopped = first_stop_signal != 0;
    }
    errno = saved_errno;
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return !stopped;
}

const char* stop_signal_name(int signal_number) {
    switch (signal_number) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        case SIGPIPE:
            return "SIGPIPE";
        default:
            return "a signal";
    }
}

}  // namespace bpfgen
