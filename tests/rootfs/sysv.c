/* PostgreSQL-style System V IPC: a shared-memory segment holding a counter,
 * a semaphore set used as a lock, and four worker processes that each add
 * to the counter under the lock, as initdb's backends share their state. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static void sem_change(int id, int delta)
{
    struct sembuf op = {.sem_num = 0, .sem_op = delta, .sem_flg = SEM_UNDO};
    while (semop(id, &op, 1) != 0)
        ;
}

int main(void)
{
    int shm = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
    int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (shm < 0 || sem < 0) {
        perror("ipc");
        return 1;
    }
    union semun arg = {.val = 1};
    semctl(sem, 0, SETVAL, arg);
    long *counter = shmat(shm, NULL, 0);
    *counter = 0;
    for (int w = 0; w < 4; w++) {
        if (fork() == 0) {
            long *c = shmat(shm, NULL, 0);
            for (int i = 0; i < 10000; i++) {
                sem_change(sem, -1);
                (*c)++;
                sem_change(sem, 1);
            }
            shmdt(c);
            _exit(0);
        }
    }
    int ok = 0, status;
    while (wait(&status) > 0)
        ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    struct shmid_ds ds;
    shmctl(shm, IPC_STAT, &ds);
    struct semid_ds sds;
    arg.buf = &sds;
    semctl(sem, 0, IPC_STAT, arg);
    printf("workers %d counter %ld segsz %zu nsems %lu\n", ok, *counter, (size_t)ds.shm_segsz, (unsigned long)sds.sem_nsems);
    shmdt(counter);
    shmctl(shm, IPC_RMID, NULL);
    semctl(sem, 0, IPC_RMID);
    return 0;
}
