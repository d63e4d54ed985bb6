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

thread_local sigjmp_buf* active_jump = nullptr;
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
struct sigaction previous_actions[std::size(kSignals)];

void OnFault(int signal_number, siginfo_t* info, void* context) {
  if (active_jump != nullptr) siglongjmp(*active_jump, signal_number);
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
  static std::once_flag installed;
  std::call_once(installed, InstallHandlers);
  // One alternate stack per thread, kept for the thread's life (the kernel refers to it).
  thread_local std::vector<char> alternate_stack;
  if (alternate_stack.empty()) {
    alternate_stack.resize(1 << 16);
    stack_t stack{};
    stack.ss_sp = alternate_stack.data();
    stack.ss_size = alternate_stack.size();
    sigaltstack(&stack, nullptr);
  }
}

int CallWithFaultGuard(void (*call)(void*), void* argument) {
  sigjmp_buf jump;
  sigjmp_buf* outer = active_jump;
#ifdef ZOOCI_WITH_LSAN
  __lsan_disable();
#endif
  // No signal mask to save: handlers run with SA_NODEFER, so a fault leaves nothing blocked
  // (saving it would cost a sigprocmask call per node).
  int fault = sigsetjmp(jump, /*savemask=*/0);
  if (fault == 0) {
    active_jump = &jump;
    call(argument);
  }
  active_jump = outer;
#ifdef ZOOCI_WITH_LSAN
  __lsan_enable();
#endif
  return fault;
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
