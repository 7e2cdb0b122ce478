// stop_signal_sender.h: a stop signal sent to this process after a delay, from a thread
// that blocks the stop signals itself, so that the test's own thread, waiting in a read,
// is the one the signal interrupts.
#pragma once

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace bpftools::test {

class DelayedStopSignal {
  public:
    DelayedStopSignal(int signal_number, std::chrono::milliseconds delay)
        : thread_([signal_number, delay] {
              sigset_t stop_set;
              sigemptyset(&stop_set);
              sigaddset(&stop_set, SIGINT);
              sigaddset(&stop_set, SIGTERM);
              sigaddset(&stop_set, SIGPIPE);
              pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);
              std::this_thread::sleep_for(delay);
              ::kill(::getpid(), signal_number);
          }) {}
    ~DelayedStopSignal() { thread_.join(); }
    DelayedStopSignal(const DelayedStopSignal&) = delete;
    DelayedStopSignal& operator=(const DelayedStopSignal&) = delete;

  private:
    std::thread thread_;
};

}  // namespace bpftools::test
