# multiprocessing: a pool of four worker processes, a queue and a manager.
import multiprocessing as mp

def square(x):
    return x * x

def producer(q):
    for i in range(100):
        q.put(i)
    q.put(None)

if __name__ == "__main__":
    with mp.Pool(4) as pool:
        total = sum(pool.map(square, range(1000)))
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q,))
    p.start()
    got = 0
    while (v := q.get()) is not None:
        got += v
    p.join()
    with mp.Manager() as m:
        d = m.dict()
        d["k"] = 42
        managed = d["k"]
    print("pool", total, "queue", got, "exit", p.exitcode, "manager", managed)
