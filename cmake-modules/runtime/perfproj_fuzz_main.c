/* main() of fuzz targets in builds without libFuzzer (perfproj_add_fuzzer() in
 * PerfprojFuzz.cmake, PERFPROJ_FUZZ=OFF, GCC included): runs each input once
 * through LLVMFuzzerTestOneInput, as `fuzzer -runs=0 FOLDER...` does, so seeds
 * and saved crash inputs are tests in every build. Arguments are files or
 * folders (every regular file in them, in name order); arguments starting
 * with '-' are libFuzzer options and are ignored. Valid C and C++: compiled as
 * the project's own language. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
/* Optional in a fuzz target, as with libFuzzer. */
__attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
#ifdef __cplusplus
}
#endif

/* Runs one file; 0 when it could be read. The input is an exact-size heap copy,
 * so an asan build catches a read one byte past its end. */
static int perfproj_run_file(const char* path) {
  FILE* file = fopen(path, "rb");
  long size = -1;
  uint8_t* data = NULL;
  if (file != NULL && fseek(file, 0, SEEK_END) == 0) {
    size = ftell(file);
  }
  if (size >= 0 && fseek(file, 0, SEEK_SET) == 0) {
    data = (uint8_t*)malloc(size > 0 ? (size_t)size : 1);
  }
  if (data == NULL || fread(data, 1, (size_t)size, file) != (size_t)size) {
    fprintf(stderr, "perfproj fuzz: cannot read %s\n", path);
    free(data);
    if (file != NULL) {
      fclose(file);
    }
    return 1;
  }
  fclose(file);
  fprintf(stderr, "Running: %s\n", path);
  LLVMFuzzerTestOneInput(data, (size_t)size);
  free(data);
  return 0;
}

static int perfproj_by_name(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* Runs every regular file of `folder`, in name order; adds their number to `count`. */
static int perfproj_run_folder(const char* folder, size_t* count) {
  DIR* dir = opendir(folder);
  char** paths = NULL;
  size_t used = 0;
  size_t capacity = 0;
  int failed = 0;
  if (dir == NULL) {
    fprintf(stderr, "perfproj fuzz: cannot read the folder %s\n", folder);
    return 1;
  }
  for (struct dirent* entry = readdir(dir); entry != NULL && !failed; entry = readdir(dir)) {
    size_t length = strlen(folder) + strlen(entry->d_name) + 2;
    char* path = (char*)malloc(length);
    struct stat info;
    if (path == NULL) {
      failed = 1;
      break;
    }
    snprintf(path, length, "%s/%s", folder, entry->d_name);
    if (stat(path, &info) != 0 || !S_ISREG(info.st_mode)) {
      free(path);
      continue;
    }
    if (used == capacity) {
      capacity = capacity ? capacity * 2 : 16;
      char** grown = (char**)realloc(paths, capacity * sizeof *paths);
      if (grown == NULL) {
        free(path);
        failed = 1;
        break;
      }
      paths = grown;
    }
    paths[used++] = path;
  }
  closedir(dir);
  if (used > 0) {
    qsort(paths, used, sizeof *paths, perfproj_by_name);
  }
  for (size_t i = 0; i < used; ++i) {
    if (!failed) {
      failed = perfproj_run_file(paths[i]);
      *count += 1;
    }
    free(paths[i]);
  }
  free(paths);
  return failed;
}

int main(int argc, char** argv) {
  size_t count = 0;
  if (LLVMFuzzerInitialize != NULL) {
    LLVMFuzzerInitialize(&argc, &argv);
  }
  for (int i = 1; i < argc; ++i) {
    struct stat info;
    int failed = 0;
    if (argv[i][0] == '-') {
      continue;
    }
    if (stat(argv[i], &info) == 0 && S_ISDIR(info.st_mode)) {
      failed = perfproj_run_folder(argv[i], &count);
    } else {
      failed = perfproj_run_file(argv[i]);
      count += 1;
    }
    if (failed) {
      return 1;
    }
  }
  fprintf(stderr, "perfproj fuzz: ran %zu inputs\n", count);
  return 0;
}
