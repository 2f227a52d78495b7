// Runs one static method of a benchmark class on the class path given to `java -cp ... bench/RunStatic.java`
// (Java's source-file mode), so a before/after comparison can call the same entry point in an
// older checkout's classes as in this one's, without changing the older code. Arguments: class,
// method, then its int arguments. Prints what the method returns.
public final class RunStatic {
  public static void main(String[] args) throws Exception {
    Class<?> c = Class.forName(args[0]);
    int n = args.length - 2;
    Class<?>[] types = new Class<?>[n];
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      types[i] = int.class;
      values[i] = Integer.parseInt(args[i + 2]);
    }
    java.lang.reflect.Method m = c.getDeclaredMethod(args[1], types);
    m.setAccessible(true); // package-private entry points of the benchmark classes
    System.out.println(m.invoke(null, values));
    System.exit(0); // the embedded MariaDB's and the scheduler processes' shutdown hooks run here
  }
}
