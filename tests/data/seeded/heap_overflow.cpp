// Seeded bug for the asan preset: writes one element past a heap array.
// (The size is known only at run time, so it is ASan, not UBSan's
// compile-time object-size check, that catches it.)
int main(int argc, char**) {
  const int size = argc + 3;
  int* values = new int[size];
  values[size] = 1;
  const int result = values[0];
  delete[] values;
  return result;
}
