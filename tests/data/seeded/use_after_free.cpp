// Seeded bug for the asan preset: reads an object after deleting it.
int main(int argc, char**) {
  int* value = new int(argc);
  delete value;
  return *value;
}
