// zooci-fake-worker: the worker protocol served by the FakeBackend, so sandbox tests can make a
// worker crash, hang or run out of memory on purpose.
#include <unistd.h>

#include "testing/testing.h"

int main() {
  auto backend = zooci::testing::MakeFakeBackend();
  return zooci::RunWorkerLoop(*backend, STDIN_FILENO, STDOUT_FILENO);
}
