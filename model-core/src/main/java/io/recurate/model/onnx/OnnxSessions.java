package io.recurate.model.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens ONNX Runtime sessions on the device the settings ask for, for every kind of bundle. */
public final class OnnxSessions {
    private static final Logger log = LoggerFactory.getLogger(OnnxSessions.class);
    /** The CPU fallback is said once per process, not once per model load (a cross-fitted version loads K). */
    private static final AtomicBoolean CUDA_FALLBACK_LOGGED = new AtomicBoolean();

    private OnnxSessions() {
    }

    /** An open session and where it runs ("cpu" or "cuda:N"). */
    public record Opened(OrtEnvironment env, OrtSession session, String device) {
    }

    /**
     * Loads {@code model}. With device {@code auto} CUDA is tried first (ONNX Runtime reports CUDA as
     * available even where no GPU is, so only creating a session tells) and CPU is used when it fails,
     * with one log line saying which. With {@code cuda:N} a failure is an error.
     *
     * @throws IllegalArgumentException when ONNX Runtime cannot load the model
     * @throws IllegalStateException    when CUDA was asked for and cannot be used
     */
    public static Opened open(Path model, ScorerSettings settings) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Device wanted = settings.device();
        if (wanted.kind() != Device.Kind.CPU) {
            try {
                OrtSession session = createSession(env, model, settings, wanted.index());
                Device used = new Device(Device.Kind.CUDA, wanted.index());
                log.info("Scoring {} on {} (ONNX Runtime CUDA execution provider{})", model.getFileName(), used,
                        settings.cudaOptions().isEmpty() ? "" : ", options " + settings.cudaOptions());
                return new Opened(env, session, used.toString());
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                if (wanted.kind() == Device.Kind.CUDA) {
                    throw new IllegalStateException("Cannot score on " + wanted + ": " + e.getMessage()
                            + " (the CUDA build needs -Pgpu, an NVIDIA driver, CUDA 12 and cuDNN 9)", e);
                }
                if (CUDA_FALLBACK_LOGGED.compareAndSet(false, true)) {
                    log.info("Scoring on cpu: CUDA is not usable here ({}); said once per process", firstLine(e));
                } else {
                    log.debug("Scoring {} on cpu: CUDA is not usable here", model.getFileName());
                }
            }
        }
        try {
            OrtSession session = createSession(env, model, settings, -1);
            if (wanted.kind() == Device.Kind.CPU) {
                log.info("Scoring {} on cpu", model.getFileName());
            }
            return new Opened(env, session, "cpu");
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load " + model + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession createSession(OrtEnvironment env, Path model, ScorerSettings settings, int cudaDevice)
            throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // 0 means every core, said explicitly: ONNX Runtime's own default took one thread in this 2-core container
            // (an encoder embedded 22 documents/s instead of 37).
            options.setIntraOpNumThreads(settings.intraOpThreads() == 0 ? Runtime.getRuntime().availableProcessors()
                    : settings.intraOpThreads());
            // Idle intra-op threads sleep rather than spin: a scorer shares its cores with the stream thread, the
            // featurizer and often a broker, and a batch of hashed ids keeps ONNX Runtime busy for little time.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (cudaDevice < 0) {
                return env.createSession(model.toString(), options);
            }
            try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(cudaDevice)) {
                // TF32 rounds matrix inputs to 10 mantissa bits; a bundle's probe check (and every decision
                // near the threshold) assumes float32 arithmetic, so the model must score as it was trained.
                cuda.add("use_tf32", "0");
                for (Map.Entry<String, String> option : settings.cudaOptions().entrySet()) {
                    cuda.add(option.getKey(), option.getValue());
                }
                options.addCUDA(cuda);
                return env.createSession(model.toString(), options);
            }
        }
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
