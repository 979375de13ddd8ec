// Threads sharing an AtomicLong and a synchronized counter, and a loop hot
// enough for the JIT (C1, then C2) to compile it.
import java.util.concurrent.atomic.AtomicLong;

public class Threads {
    static long locked = 0;

    static synchronized void bump() { locked++; }

    static long hot(long n) {
        long x = 0;
        for (long i = 0; i < n; i++) x = (x * 31 + i) % 1000000007L;
        return x;
    }

    public static void main(String[] args) throws Exception {
        AtomicLong atomic = new AtomicLong();
        Thread[] ts = new Thread[4];
        for (int t = 0; t < 4; t++) {
            ts[t] = new Thread(() -> {
                for (int i = 0; i < 100000; i++) { atomic.incrementAndGet(); bump(); }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        long h = 0;
        for (int r = 0; r < 20; r++) h = hot(200000 + r);
        System.out.println("atomic " + atomic.get() + " locked " + locked + " hot " + h);
    }
}
