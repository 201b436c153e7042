/* Instrumented like a payload for tests/lib-gcov-test.c: branches, a loop. */
int sample_branches(int x);
int sample_loop(int n);

int sample_branches(int x)
{
	if (x % 3 == 0)
		return x / 3;
	if (x > 100)
		return x - 100;
	return x + 1;
}

int sample_loop(int n)
{
	int s = 0;

	for (int i = 0; i < n % 17; i++)
		s += i & 1 ? i : -i;
	return s;
}
