package io.recurate.cli;

import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.policy.CurationPolicy;
import io.recurate.schemas.SourceMode;
import picocli.CommandLine.Option;

/** How the loop curates: a named policy, with the source mode and the number of folds overridable. */
final class PolicyOptions {
    @Option(names = "--policy",
            description = "Curation policy: self-train, self-train-hard, nb-ramp, nb-em, ramp, pu, spies, em, naive or "
                    + "budget (default: " + CurationPolicies.DEFAULT + " with an encoder, " + CurationPolicies.DEFAULT_HASHED
                    + " with --encoder none). See the README's 'Policies' for what each does and how the default was chosen.")
    String policy;

    @Option(names = "--mode", description = "Override the policy's source mode: NESTED (pass n+1 scores pass n's kept) or "
            + "FULL (every pass rescores the corpus, so a wrongly removed document can come back).")
    SourceMode mode;

    @Option(names = "--folds", description = "Override the policy's cross-fitting: fold models per version "
            + "(1 = one model, no held-out scores).")
    Integer folds;

    /** @param encoder whether the loop trains heads on an encoder: it picks the default policy */
    CurationPolicy resolve(boolean encoder) {
        String name = policy != null ? policy : encoder ? CurationPolicies.DEFAULT : CurationPolicies.DEFAULT_HASHED;
        return CurationPolicies.with(CurationPolicies.named(name), mode, folds);
    }
}
