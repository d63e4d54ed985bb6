// A last line of defence around libonnx's type and shape inference functions. Some of libonnx
// 1.12's inference functions index shapes without checking their rank (Gemm-6 with a rank-1 B
// reads past a protobuf repeated field, found by fuzzing: tests/fuzz-regressions/). A fault
// inside such a call is turned into a diagnostic on the node instead of killing zooci.
//
// Contract: only libonnx inference calls run under the guard; their side effects are confined to
// the InferenceContextImpl the caller abandons after a fault (its memory may leak). The handlers
// are installed once per process and chain to the ones they replaced (a sanitizer's, or the
// default action) for any fault outside a guarded call; each thread that checks gets its own
// alternate signal stack, so a stack overflow inside libonnx is caught too. Installing per
// model instead cost a dozen system calls per file, which dominated checking small models.
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include <cstring>
#include <functional>
#include <mutex>
#include <vector>

#include "check/internal.h"

// Under AddressSanitizer (the fuzz build), memory a faulting libonnx call abandons is
// deliberately leaked: LeakSanitizer is told to ignore allocations made inside guarded calls.
#if defined(__SANITIZE_ADDRESS__)
#define ZOOCI_WITH_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZOOCI_WITH_LSAN 1
#endif
#endif
#ifdef ZOOCI_WITH_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace zooci::check_internal {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction previous_actions[std::size(kSignals)];

// Guarded calls in progress, one slot per thread inside one. The handler finds its thread's
// slot by the kernel thread id: it must not touch thread-local storage, which threads made by
// raw clone() (sanitizers' helper threads) do not have.
struct GuardSlot {
  std::atomic<pid_t> thread{0};
  sigjmp_buf* jump = nullptr;
};
constexpr int kMaxGuardedThreads = 256;
GuardSlot guard_slots[kMaxGuardedThreads];

pid_t KernelThreadId() {
  return static_cast<pid_t>(syscall(SYS_gettid));
}

void OnFault(int signal_number, siginfo_t* info, void* context) {
  pid_t thread = KernelThreadId();
  for (GuardSlot& slot : guard_slots) {
    if (slot.thread.load(std::memory_order_acquire) == thread && slot.jump != nullptr) {
      siglongjmp(*slot.jump, signal_number);
    }
  }
  // Outside a guarded call this is a real crash: hand it to whoever handled it before us.
  for (size_t index = 0; index < std::size(kSignals); ++index) {
    if (kSignals[index] != signal_number) continue;
    const struct sigaction& previous = previous_actions[index];
    if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
      previous.sa_sigaction(signal_number, info, context);
      return;
    }
    if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
        previous.sa_handler != nullptr) {
      previous.sa_handler(signal_number);
      return;
    }
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void InstallHandlers() {
  struct sigaction action {};
  action.sa_sigaction = OnFault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (size_t index = 0; index < std::size(kSignals); ++index) {
    sigaction(kSignals[index], &action, &previous_actions[index]);
  }
}

}  // namespace

FaultGuardScope::FaultGuardScope() {
  // Installed once; installed again if someone replaced the handler since (libFuzzer and the
  // sanitizers do between runs). One sigaction query per model.
  static std::mutex install_mutex;
  struct sigaction handler {};
  if (sigaction(SIGSEGV, nullptr, &handler) != 0 || handler.sa_sigaction != OnFault) {
    std::lock_guard<std::mutex> lock(install_mutex);
    if (sigaction(SIGSEGV, nullptr, &handler) != 0 || handler.sa_sigaction != OnFault) {
      InstallHandlers();
    }
  }
  // One alternate stack per thread, unless the thread already has one (a sanitizer's). It is
  // disabled again before its memory goes away at thread exit.
  struct AlternateStack {
    std::vector<char> memory;
    bool ours = false;
    ~AlternateStack() {
      if (!ours) return;
      stack_t disable{};
      disable.ss_flags = SS_DISABLE;
      sigaltstack(&disable, nullptr);
    }
  };
  thread_local AlternateStack alternate;
  if (alternate.ours) return;
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) return;
  alternate.memory.resize(1 << 16);
  stack_t stack{};
  stack.ss_sp = alternate.memory.data();
  stack.ss_size = alternate.memory.size();
  alternate.ours = sigaltstack(&stack, nullptr) == 0;
}

int CallWithFaultGuard(void (*call)(void*), void* argument) {
  thread_local pid_t thread = KernelThreadId();
  GuardSlot* slot = nullptr;
  for (GuardSlot& candidate : guard_slots) {
    pid_t expected = 0;
    if (candidate.thread.load(std::memory_order_relaxed) == thread) {
      slot = &candidate;  // a guarded call inside a guarded call on this thread
      break;
    }
    if (candidate.thread.compare_exchange_strong(expected, thread)) {
      slot = &candidate;
      break;
    }
  }
  if (slot == nullptr) {  // more threads than slots: run unguarded rather than not at all
    call(argument);
    return 0;
  }
  sigjmp_buf jump;
  sigjmp_buf* outer = slot->jump;
#ifdef ZOOCI_WITH_LSAN
  __lsan_disable();
#endif
  // No signal mask to save: handlers run with SA_NODEFER, so a fault leaves nothing blocked
  // (saving it would cost a sigprocmask call per node).
  int fault = sigsetjmp(jump, /*savemask=*/0);
  if (fault == 0) {
    slot->jump = &jump;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    call(argument);
  }
  slot->jump = outer;
  if (outer == nullptr) slot->thread.store(0, std::memory_order_release);
#ifdef ZOOCI_WITH_LSAN
  __lsan_enable();
#endif
  return fault;
}

void AbandonAfterFault([[maybe_unused]] const void* object) {
#ifdef ZOOCI_WITH_LSAN
  __lsan_ignore_object(object);
#endif
}

std::string FaultName(int signal_number) {
  switch (signal_number) {
    case SIGSEGV:
      return "an invalid memory access";
    case SIGBUS:
      return "a bus error";
    case SIGFPE:
      return "an arithmetic fault";
    default:
      return "signal " + std::to_string(signal_number);
  }
}

}  // namespace zooci::check_internal
