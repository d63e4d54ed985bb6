// A last line of defence around libonnx's type and shape inference functions. Some of libonnx
// 1.12's inference functions index shapes without checking their rank (Gemm-6 with a rank-1 B
// reads past a protobuf repeated field, found by fuzzing: tests/fuzz-regressions/). A fault
// inside such a call is turned into a diagnostic on the node instead of killing zooci.
//
// Contract: only libonnx inference calls run under the guard; their side effects are confined to
// the InferenceContextImpl the caller abandons after a fault (its memory may leak). The guard is
// installed per InferTypes call on the calling thread, with an alternate signal stack so a stack
// overflow can be caught too, and the previous handlers are restored afterwards.
#include <setjmp.h>
#include <signal.h>

#include <cstring>
#include <functional>
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

void OnFault(int signal_number) {
  if (active_jump != nullptr) siglongjmp(*active_jump, signal_number);
  // A fault outside a guarded call is a real crash: let it happen as it would have.
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

}  // namespace

FaultGuardScope::FaultGuardScope() : alternate_stack_(1 << 16) {
  stack_t stack{};
  stack.ss_sp = alternate_stack_.data();
  stack.ss_size = alternate_stack_.size();
  installed_ = sigaltstack(&stack, &previous_stack_) == 0;
  struct sigaction action {};
  action.sa_handler = OnFault;
  action.sa_flags = SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (size_t index = 0; index < std::size(kSignals); ++index) {
    sigaction(kSignals[index], &action, &previous_actions_[index]);
  }
}

FaultGuardScope::~FaultGuardScope() {
  for (size_t index = 0; index < std::size(kSignals); ++index) {
    sigaction(kSignals[index], &previous_actions_[index], nullptr);
  }
  if (installed_) sigaltstack(&previous_stack_, nullptr);
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
