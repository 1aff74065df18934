/* A stand-in libnvrtc.so.13 whose every compile fails with a log, for the
 * tests of how ssmc reports NVRTC failures (there is no real source that
 * NVRTC rejects). Found through LD_LIBRARY_PATH before the real one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvrtcResult;
typedef struct Program {
  char log[256];
} *nvrtcProgram;

nvrtcResult nvrtcVersion(int *major, int *minor) {
  *major = 13;
  *minor = 0;
  return 0;
}
nvrtcResult nvrtcGetNumSupportedArchs(int *count) {
  *count = 2;
  return 0;
}
nvrtcResult nvrtcGetSupportedArchs(int *archs) {
  archs[0] = 80;
  archs[1] = 90;
  return 0;
}
const char *nvrtcGetErrorString(nvrtcResult result) {
  return result == 6 ? "NVRTC_ERROR_COMPILATION" : "NVRTC_ERROR";
}
nvrtcResult nvrtcCreateProgram(nvrtcProgram *program, const char *source, const char *name,
                               int headers, const char *const *sources,
                               const char *const *names) {
  *program = calloc(1, sizeof(struct Program));
  snprintf((*program)->log, sizeof (*program)->log,
           "%s(1): error: injected by the fake NVRTC\n", name);
  return 0;
}
nvrtcResult nvrtcCompileProgram(nvrtcProgram program, int count, const char *const *options) {
  return 6;
}
nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram program, size_t *size) {
  *size = strlen(program->log) + 1;
  return 0;
}
nvrtcResult nvrtcGetProgramLog(nvrtcProgram program, char *log) {
  strcpy(log, program->log);
  return 0;
}
nvrtcResult nvrtcGetPTXSize(nvrtcProgram program, size_t *size) { return 1; }
nvrtcResult nvrtcGetPTX(nvrtcProgram program, char *ptx) { return 1; }
nvrtcResult nvrtcGetCUBINSize(nvrtcProgram program, size_t *size) { return 1; }
nvrtcResult nvrtcGetCUBIN(nvrtcProgram program, char *cubin) { return 1; }
nvrtcResult nvrtcDestroyProgram(nvrtcProgram *program) {
  free(*program);
  *program = NULL;
  return 0;
}
