#include <cstdio>

// The command line (run, validate, info) lands with the simulation loop and the result file.
int main() {
  std::fputs("myelin: the command line is not available in this build yet\n", stderr);
  return 1;
}
