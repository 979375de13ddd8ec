/*
 * A program for the gdb stub test (linux-user/tests/gdb.rs): built with
 * debug information and not stripped, so gdb can name its functions and
 * variables. A second thread calls add_numbers(40, 2); the result and the
 * exit status depend on `counter`, which the test changes through gdb.
 */
#include <pthread.h>
#include <stdio.h>

volatile int counter = 5;

int __attribute__((noinline)) add_numbers(int a, int b)
{
    return a + b + counter;
}

static void *worker(void *arg)
{
    (void)arg;
    printf("worker %d\n", add_numbers(40, 2));
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    printf("counter %d\n", counter);
    return counter == 5 ? 0 : 3;
}
